import type { MappedItem } from '../../core/opcua/mapping';
import type { OpcuaSample } from './monitor';

/**
 * Samples coalesced per twin and handed over together after the current publish (a microtask: node-opcua delivers
 * one publish's notifications in one go), so a twin gets one message per publish, not one per property.
 * One publish can carry several queued values of the same item (queue size > 1, whenever the event loop was late):
 * none is dropped. Each twin gets a list of payloads, and a sample goes into the first one that does not yet hold
 * its property, so a property's samples reach the twin in the server's order, one message after the other.
 */
export function twinBatcher(
  send: (twin: string, payload: Record<string, OpcuaSample>) => void,
): (item: MappedItem, sample: OpcuaSample) => void {
  let pending = new Map<string, Record<string, OpcuaSample>[]>();
  const flush = (): void => {
    const batch = pending;
    pending = new Map();
    for (const [twin, payloads] of batch) for (const payload of payloads) send(twin, payload);
  };
  return (item, sample) => {
    const property = item.property;
    let payloads = pending.get(item.twin);
    if (payloads === undefined) {
      if (pending.size === 0) queueMicrotask(flush);
      payloads = [];
      pending.set(item.twin, payloads);
    }
    let i = 0;
    while (i < payloads.length && property in payloads[i]) i++;
    if (i === payloads.length) payloads.push({});
    payloads[i][property] = sample;
  };
}
