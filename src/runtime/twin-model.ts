import type { NodeAPI } from 'node-red';
import { isTwinFlowError } from '../core/errors';
import { modelOf } from '../core/nodes/twin-model';
import { clockFor } from './shared/clock';
import { contextKey } from './shared/context';
import { toNodeError } from './shared/i18n';
import { migrateConfig } from '../core/nodes/migrate';
import { TWIN_MODEL_MIGRATIONS, type TwinModelConfig } from './model/model-config';
import type { TwinModelNode } from './model/model-node';
import { TwinStore } from './model/store';

export = function register(RED: NodeAPI): void {
  function TwinModelConfigNode(this: TwinModelNode, raw: TwinModelConfig): void {
    RED.nodes.createNode(this, raw);
    const config = migrateConfig<TwinModelConfig>(raw, TWIN_MODEL_MIGRATIONS);
    try {
      this.model = modelOf(config);
      const area = contextKey('twinflow_', config.id);
      this.store = new TwinStore(
        this.context().global,
        area,
        config.store || undefined,
        this.model,
        clockFor(RED),
        (err) => this.error(toNodeError(RED, 'twin-model', err)),
      );
      this.store.ready.catch((err: unknown) => this.error(toNodeError(RED, 'twin-model', err)));
    } catch (err) {
      this.modelError = toNodeError(RED, 'twin-model', err);
      this.error(this.modelError);
      if (!isTwinFlowError(err)) throw err;
    }
    this.on('close', (removed: boolean, done: () => void) => {
      const store = this.store;
      if (!store) return done();
      // Deleting the model deletes its twins; a redeploy or a restart keeps them.
      (removed ? store.drop() : store.close()).then(done, done);
    });
  }
  RED.nodes.registerType('twin-model', TwinModelConfigNode);
};
