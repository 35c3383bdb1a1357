/** The twin-state node's saved configuration, its operations, and its migrations. */
import type { NodeDef } from 'node-red';
import type { TwinAction } from '../../core/twin';
import type { Migration } from '../../core/nodes/migrate';

export interface TwinStateConfig extends NodeDef {
  version: number;
  /** Id of the twin-model config node. */
  model: string;
  /** The operation, or 'msg' to take it from msg.action (falling back to report). */
  action: TwinAction | 'msg';
  /** Where the twin id comes from (a typedInput: msg/flow/global/str/env/jsonata). */
  twinId: string;
  twinIdType: string;
}

export const TWIN_STATE_MIGRATIONS: readonly Migration<TwinStateConfig>[] = [
  {
    to: 1,
    up: (c) => ({ action: 'msg', twinId: 'topic', twinIdType: 'msg', ...c }),
  },
];
