import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import type { TwinModelNode } from '../runtime/model/model-node';
import { listTwins } from '../runtime/model/sidebar-view';
import { clockFor } from '../runtime/shared/clock';

/**
 * The TwinFlow sidebar: an editor plugin that lists the live twins of every deployed model, their properties,
 * quality and staleness, so a flow author sees the twins without building a dashboard. The runtime half serves one
 * read-only admin endpoint, guarded like the rest of the admin API.
 */
export = function register(RED: NodeAPI): void {
  RED.plugins.registerPlugin('twinflow-sidebar', { type: 'twinflow-sidebar' } as never);
  RED.httpAdmin.get(
    '/twinflow/twins',
    RED.auth.needsPermission('twinflow.read'),
    (req: Request, res: Response) => {
      const models: TwinModelNode[] = [];
      RED.nodes.eachNode((config: { id: string; type: string }) => {
        if (config.type !== 'twin-model') return;
        const node = RED.nodes.getNode(config.id) as TwinModelNode | null;
        if (node) models.push(node);
      });
      const limit = Math.min(Number(req.query.limit) || 200, 2000);
      res.json(listTwins(models, clockFor(RED).now(), limit));
    },
  );
};
