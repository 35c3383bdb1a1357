/** The operations of twin-state, shared by the editor's picker and the runtime's msg.action check. */
export const TWIN_ACTIONS = ['report', 'desire', 'ack', 'get', 'list', 'query', 'delete'] as const;
export type TwinAction = (typeof TWIN_ACTIONS)[number];
