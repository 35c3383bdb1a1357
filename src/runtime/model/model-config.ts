/** The twin-model config node's saved configuration: the spec lives in src/core/nodes/twin-model.ts. */
import type { NodeDef } from 'node-red';
import type { Migration } from '../../core/nodes/migrate';
import { MIGRATIONS, type TwinModelSettings } from '../../core/nodes/twin-model';

export type TwinModelConfig = NodeDef & TwinModelSettings;
// The saved config carries the node's id and type beside the settings; the migrations leave them alone.
export const TWIN_MODEL_MIGRATIONS =
  MIGRATIONS as readonly Migration<unknown>[] as readonly Migration<TwinModelConfig>[];
