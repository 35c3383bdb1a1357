import type { Reading } from './monitor';

/**
 * Readings coalesced per twin and handed over together after the current publish (a microtask: node-opcua delivers
 * one publish's notifications in one go), so a twin gets one message per publish, not one per property.
 */
export function twinBatcher(
  send: (twin: string, payload: Record<string, unknown>) => void,
): (r: Reading) => void {
  let pending = new Map<string, Record<string, unknown>>();
  const flush = (): void => {
    const batch = pending;
    pending = new Map();
    for (const [twin, payload] of batch) send(twin, payload);
  };
  return (r) => {
    if (pending.size === 0) queueMicrotask(flush);
    const payload = pending.get(r.item.twin) ?? {};
    const sample: Record<string, unknown> = { value: r.value, quality: r.quality, statusCode: r.statusCode };
    if (r.item.unit) sample.unit = r.item.unit;
    if (r.sourceTimestamp !== undefined) sample.sourceTimestamp = r.sourceTimestamp;
    if (r.serverTimestamp !== undefined) sample.serverTimestamp = r.serverTimestamp;
    payload[r.item.property] = sample;
    pending.set(r.item.twin, payload);
  };
}
