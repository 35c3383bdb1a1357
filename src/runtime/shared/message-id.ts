import { randomBytes } from 'node:crypto';

let prefix = '';
let counter = 0xffffffff;

/**
 * A new message's `_msgid`: 16 hex characters, as RED.util.generateId gives, from a random prefix and a counter (a
 * new prefix each time the counter wraps, so no id repeats). RED.util.generateId draws eight random bytes and makes a
 * string of each, about eighteen short-lived objects per id; twin-opcua-map sends a message per twin and publish,
 * thousands a second, and that garbage was a visible part of the collector's share of its cost.
 */
export function messageId(): string {
  counter = (counter + 1) >>> 0;
  if (counter === 0) prefix = randomBytes(4).toString('hex');
  return prefix + counter.toString(16).padStart(8, '0');
}
