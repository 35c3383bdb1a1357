/** The twin-state node's saved configuration: the spec lives in src/core/nodes/twin-state.ts. */
import type { NodeDef } from 'node-red';
import type { Migration } from '../../core/nodes/migrate';
import { MIGRATIONS, type TwinStateSettings } from '../../core/nodes/twin-state';

export type TwinStateConfig = NodeDef & TwinStateSettings;
// The saved config carries the node's id and type beside the settings; the migrations leave them alone.
export const TWIN_STATE_MIGRATIONS =
  MIGRATIONS as readonly Migration<unknown>[] as readonly Migration<TwinStateConfig>[];
