import type { Node, NodeAPI } from 'node-red';
import type { Clock } from './clock';
import { translate } from './i18n';

type Fill = 'red' | 'green' | 'yellow' | 'blue' | 'grey';
type Shape = 'ring' | 'dot';
type Details = Record<string, string | number | boolean>;

/**
 * The one way a TwinFlow node sets its status. Texts come from the node's catalogue (`<namespace>.status.<key>`,
 * with `details` filled in), never from English literals in an adapter.
 *
 * One throttle policy for every node: a status that arrives within `intervalMs` of the last one shown is held and
 * the latest held one is shown when the interval ends (a stream of 10,000 messages a second costs one editor update
 * every half second, and the last word is always shown). Red statuses are shown at once: an error must never wait;
 * and so is the first status after a red one, so a node that recovers does not go on showing the error.
 */
export interface NodeStatus {
  /** `atOnce` skips the throttle: for a change of state worth seeing at once (a long run that starts). */
  show(fill: Fill, shape: Shape, key: string, details?: Details, atOnce?: boolean): void;
  /**
   * Like show, for a status whose choice costs work (a node's progress over all its signals): `describe` runs only
   * when the status is shown, so the messages whose status the throttle drops never pay for it. Never red (an error
   * is shown at once with show or error); described when shown, so it tells the state of that moment.
   */
  showLazily(describe: () => StatusDescription): void;
  /** A red ring with the error's (already translated) message, shortened; shown at once. */
  error(error: Error | string): void;
  clear(): void;
  /** Cancels a pending update (call from the close handler). */
  close(): void;
}

export const STATUS_INTERVAL_MS = 500;

export type StatusDescription = { fill: Exclude<Fill, 'red'>; shape: Shape; key: string; details?: Details };
// What is offered to the throttle: whether it is red (decided at once), and the status, built only when shown.
type Offered = { red: boolean; build: () => { fill: Fill; shape: Shape; text: string } };

export function statusFor(
  RED: NodeAPI,
  node: Node,
  namespace: string,
  clock: Clock,
  intervalMs = STATUS_INTERVAL_MS,
  /** Longest text shown; a node that names an endpoint and a cause needs more than the default. */
  maxLength = 32,
): NodeStatus {
  let lastShown = -Infinity;
  let showingRed = false;
  // What the red status on show is, as shape, key and details, when show() put it there: the same red again (a
  // twin-anomaly key in alarm, message after message) is not translated and sent again, since nothing would change.
  let redShown: string | undefined;
  let lazy: { describe: () => StatusDescription; offered: Offered } | undefined;
  // The text is built only when a status is shown: a throttled one costs no translation (i18next, tens of µs).
  let pending: Offered | undefined;
  let timer: unknown;
  const apply = (status: Offered | undefined): void => {
    lastShown = clock.now();
    showingRed = status?.red === true;
    redShown = undefined;
    node.status(status ? status.build() : {});
  };
  const flush = (): void => {
    timer = undefined;
    if (pending) apply(pending);
    pending = undefined;
  };
  const cancel = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    pending = undefined;
  };
  const offer = (status: Offered, immediate: boolean): void => {
    const wait = lastShown + intervalMs - clock.now();
    if (immediate || showingRed || wait <= 0) {
      cancel();
      apply(status);
      return;
    }
    pending = status;
    timer ??= clock.setTimeout(flush, wait);
  };
  const catalogued = (fill: Fill, shape: Shape, key: string, details: Details = {}) => ({
    fill,
    shape,
    text: shortText(translate(RED, `${namespace}.status.${key}`, key, details), maxLength),
  });
  return {
    show(fill, shape, key, details = {}, atOnce = false) {
      const red = fill === 'red';
      const shown = red ? redSignature(shape, key, details) : undefined;
      if (shown !== undefined && showingRed && shown === redShown) return;
      offer({ red, build: () => catalogued(fill, shape, key, details) }, atOnce || red);
      redShown = shown;
    },
    showLazily(describe) {
      // A node passes the same describe function message after message: it is wrapped once.
      if (describe !== lazy?.describe) {
        const build = () => {
          const { fill, shape, key, details } = describe();
          return catalogued(fill, shape, key, details);
        };
        lazy = { describe, offered: { red: false, build } };
      }
      offer(lazy.offered, false);
    },
    error(error) {
      const text = () => shortText(typeof error === 'string' ? error : error.message, maxLength);
      offer({ red: true, build: () => ({ fill: 'red', shape: 'ring', text: text() }) }, true);
    },
    clear() {
      cancel();
      apply(undefined);
    },
    close: cancel,
  };
}

function redSignature(shape: Shape, key: string, details: Details): string {
  let text = `${shape}\u0000${key}`;
  for (const name in details) text += `\u0000${name}\u0000${String(details[name])}`;
  return text;
}

/** Node status text should stay short (the editor truncates long ones); the editor cuts longer ones. */
export function shortText(text: string, max = 32): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
