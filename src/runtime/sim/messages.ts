import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import type { SimOutput } from '../../core/sim/session';
import type { InputMessage } from '../shared/input';

export type Message = NodeMessageInFlow & Record<string, unknown>;

/**
 * An output message: the input message's fields (for the message that caused the step), then the output's. Copied
 * with Object.assign onto a literal: a spread copy (or a literal with a spread and fields) got its fields through
 * V8's slow path, half a microsecond a message. An input message with an own `__proto__` key is spread, so that
 * key stays a plain field (assignment would set the copy's prototype).
 */
export function outputMessage(RED: NodeAPI, o: SimOutput, base?: Partial<InputMessage>): Message {
  const out = (
    base !== undefined && Object.prototype.hasOwnProperty.call(base, '__proto__')
      ? { ...base }
      : Object.assign({}, base)
  ) as Message;
  out._msgid = base?._msgid ?? RED.util.generateId();
  out.topic = o.topic;
  out.payload = o.payload;
  out.sim = o.sim;
  return out;
}
