/**
 * The one error type that every pure function in src/core throws for bad input or a refused operation.
 *
 * `code` is a stable machine-readable name (Catch nodes see it as `msg.error.code`, because Node-RED copies an
 * own `code` property of the error onto the caught message). `key` is the i18n catalogue key under the node's
 * `errors.` namespace; the runtime translates it and falls back to the English `message` built here, so the
 * same error reads well in the replay CLI, in tests and in the editor.
 */
export class TwinFlowError extends Error {
  readonly code: string;
  readonly key: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(key: string, message: string, details: Record<string, string | number | boolean> = {}) {
    super(message);
    this.name = 'TwinFlowError';
    this.key = key;
    this.code = `TWINFLOW_${key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
    this.details = details;
  }
}

/**
 * True for errors raised deliberately by TwinFlow's validation (as opposed to programming errors). Duck-typed, not
 * instanceof: each node is its own bundle with its own copy of this class, and an error thrown in one bundle (the
 * config node's store) is caught in another (the node's input handler).
 */
export function isTwinFlowError(err: unknown): err is TwinFlowError {
  return (
    err instanceof Error &&
    err.name === 'TwinFlowError' &&
    typeof (err as Partial<TwinFlowError>).key === 'string' &&
    typeof (err as Partial<TwinFlowError>).code === 'string'
  );
}
