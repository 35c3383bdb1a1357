import { defer, type Clock } from '../shared/clock';

/** MQTT 5 Receive Maximum asked for in CONNECT: unacknowledged QoS 1/2 messages the broker may send at once. */
export const RECEIVE_MAXIMUM = 100;
/** Incoming messages handled in one turn of the event loop at most. */
const PER_TURN = 200;

/**
 * Flow control for a connection's incoming messages, through mqtt.js' `handleMessage` hook: mqtt.js takes the next
 * packet (and acknowledges a QoS 1/2 one) only once the hook calls back.
 * - Yield: after PER_TURN messages the callback waits for the next turn of the event loop. mqtt.js handles the packets
 *   of every buffered socket read in one chain of nextTicks, so a burst (100,000 QoS 0 messages in under a second)
 *   would otherwise keep HTTP and timers waiting for hundreds of milliseconds.
 * - Hold: while anyone holds (a full command queue), a QoS 1/2 message is not acknowledged and the next packet not
 *   read, so a burst waits at the broker (which sends at most RECEIVE_MAXIMUM unacknowledged under MQTT 5 and queues
 *   the rest by its own limits), not in this heap. QoS 0 ones are read on: the receiver decides (refuses `busy`).
 */
export class IncomingFlow {
  private holds = 0;
  private handled = 0;
  /** mqtt.js' callback for the held message. */
  private resume?: () => void;

  constructor(private readonly clock: Clock) {}

  readonly handle = (packet: { qos: number }, callback: () => void): void => {
    if (this.holds > 0 && packet.qos > 0) {
      this.resume = callback;
      return;
    }
    if (++this.handled < PER_TURN) return callback();
    this.handled = 0;
    defer(this.clock, callback);
  };

  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds > 0) return;
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  /** The session ended: a held message is redelivered (QoS 1/2) by the broker, never acknowledged late. */
  reset(): void {
    this.resume = undefined;
  }
}
