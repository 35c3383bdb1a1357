import { runtimeValidator } from '../shared/plain-data';

/**
 * The signal names are data (`__proto__` included: the copy carries it as an own property, and readSignals reads
 * only own properties), so no key is forbidden.
 */
const validator = runtimeValidator({ forbiddenKeys: [] });

/**
 * msg.payload by value, whatever realm built it, as readSignals reads it. readSignals reads the payload at once and
 * keeps nothing of it, so nothing is copied that need not be: with signals named, only they (and the running
 * property) are read of an object payload, so only they are checked and the rest passes through untouched; with every
 * numeric property watched, the whole payload is checked, a flat object of numbers where it is.
 */
export function signalPayloadReader(
  signals: readonly string[],
  runningProperty: string | undefined,
): (payload: unknown) => unknown {
  if (signals.length === 0) return (payload) => validator.view(payload);
  const watched = runningProperty ? [...signals, runningProperty] : [...signals];
  return (payload) => validator.members(payload, watched);
}
