import type { NodeAPI, NodeMessageInFlow } from 'node-red';
import type { SimOutput } from '../../core/sim/session';
import type { InputMessage } from '../shared/input';

export type Message = NodeMessageInFlow & Record<string, unknown>;

/**
 * An output message: the input message's fields (for the message that caused the step), then the output's. Built
 * with one spread and assignments: a second spread in the same literal took V8's slow path, and cost more than the
 * pump's step itself.
 */
export function outputMessage(RED: NodeAPI, o: SimOutput, base?: Partial<InputMessage>): Message {
  const out = { ...base } as Message;
  out._msgid = base?._msgid ?? RED.util.generateId();
  out.topic = o.topic;
  out.payload = o.payload;
  out.sim = o.sim;
  return out;
}
