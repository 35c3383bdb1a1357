import type { OpcuaSample, SampleSource } from './sample';

/** Twins handed over per event-loop turn (see flush). */
const CHUNK = 100;

/** One twin's payloads waiting for the end of the current publish. */
interface TwinQueue {
  readonly twin: string;
  payloads: Record<string, OpcuaSample>[];
  due: boolean;
}

/**
 * Samples coalesced per twin and handed over together after the current publish (a microtask: node-opcua delivers
 * one publish's notifications in one go), so a twin gets one message per publish, not one per property.
 * One publish can carry several queued values of the same item (queue size > 1, whenever the event loop was late):
 * none is dropped. Each twin gets a list of payloads, and a sample goes into the first one that does not yet hold
 * its property, so a property's samples reach the twin in the server's order, one message after the other.
 * A twin's queue lives as long as the map (twins are the mapping's, a fixed set): a publish of 5,000 values looks
 * each up in a map that stays warm and rebuilds nothing.
 */
export function twinBatcher(
  send: (twin: string, payload: Record<string, OpcuaSample>) => void,
): (source: SampleSource, sample: OpcuaSample) => void {
  const queues = new Map<string, TwinQueue>();
  let due: TwinQueue[] = [];
  let draining = false;
  // At most CHUNK twins a turn, the rest after Node-RED has delivered those (setImmediate runs after the deliveries
  // the sends queued): a publish of 5,000 values no longer puts 1,250 messages in flight at once, and fewer live
  // objects is less for every garbage collection that falls inside a publish to copy. A twin's payloads stay in
  // order: a twin still waiting gets later samples in its own queue, and the queue is sent whole.
  const flush = (): void => {
    const batch = due.length > CHUNK ? due.splice(0, CHUNK) : due;
    if (batch === due) due = [];
    // Every queue is emptied before anything is sent, so a send that throws cannot leave a twin marked due forever.
    const taken = batch.map((queue) => {
      const payloads = queue.payloads;
      queue.payloads = [];
      queue.due = false;
      return payloads;
    });
    if (due.length > 0) setImmediate(flush);
    else draining = false;
    for (let q = 0; q < batch.length; q++) for (const payload of taken[q]) send(batch[q].twin, payload);
  };
  return (source, sample) => {
    let queue = queues.get(source.twin);
    if (queue === undefined) {
      queue = { twin: source.twin, payloads: [], due: false };
      queues.set(source.twin, queue);
    }
    if (!queue.due) {
      if (!draining) {
        draining = true;
        queueMicrotask(flush);
      }
      queue.due = true;
      due.push(queue);
    }
    const { property } = source;
    const payloads = queue.payloads;
    let i = 0;
    while (i < payloads.length && property in payloads[i]) i++;
    if (i === payloads.length) payloads.push({});
    payloads[i][property] = sample;
  };
}
