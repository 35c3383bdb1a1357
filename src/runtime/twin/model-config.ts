/** The twin-model config node's saved configuration, and its migrations. */
import type { NodeDef } from 'node-red';
import type { Migration } from '../../core/nodes/migrate';

export interface TwinModelConfig extends NodeDef {
  version: number;
  /** JSON text of the property list (the editor's table), or the list itself when built by code. */
  properties: string | unknown[];
  enterprise: string;
  site: string;
  area: string;
  line: string;
  cell: string;
  staleAfter: string | number;
  /** Context store for persistence; blank: the default store. */
  store: string;
}

export const TWIN_MODEL_MIGRATIONS: readonly Migration<TwinModelConfig>[] = [
  {
    // version 1 is the first release; configs without a version get every field defaulted.
    to: 1,
    up: (c) => ({
      properties: '[]',
      enterprise: '',
      site: '',
      area: '',
      line: '',
      cell: '',
      staleAfter: '',
      store: '',
      ...c,
    }),
  },
];
