/**
 * A value now or later. Node-RED's memory context store answers synchronously and most messages need nothing else,
 * so the input path stays synchronous until something really is asynchronous (an async store, JSONata): every
 * promise hop costs per message, and a twin update should cost about what a core node costs.
 */
export type MaybePromise<T> = T | Promise<T>;

export function then<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
