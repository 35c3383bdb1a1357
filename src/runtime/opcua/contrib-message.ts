import { TwinFlowError } from '../../core/errors';
import { canonicalNodeId } from '../../core/opcua/nodeid';
import { qualityOf, toEngineering, type MappedItem } from '../../core/opcua/mapping';
import type { InputMessage } from '../shared/input';
import type { MapSession } from './map-session';

/**
 * node-red-contrib-opcua's client messages (msg.topic a NodeId, msg.payload the value, msg.statusCode) as a TwinFlow
 * envelope for the mapped twin property. Its NodeIds come as `ns=` or `nsu=`; both are brought to one spelling with
 * the server's namespace array, and the mapping's addresses too, so either form finds its property.
 * Returns undefined when the message is not one of them (a write-back).
 */
export function fromContribOpcua(
  msg: InputMessage,
  items: MappedItem[],
  session: MapSession | undefined,
  namespaces: string[],
): { topic: string; payload: Record<string, unknown> } | undefined {
  if (typeof msg.topic !== 'string' || !/^(ns=|nsu=|i=|s=|g=|b=)/.test(msg.topic)) return undefined;
  const key = canonicalNodeId(msg.topic, namespaces);
  const same = (text: string): boolean => {
    try {
      return canonicalNodeId(text, namespaces) === key;
    } catch {
      return false;
    }
  };
  let item: MappedItem | undefined;
  for (const r of session?.working() ?? []) if (r.nodeId.toString() === key) item = r.item;
  item ??= items.find((i) => 'nodeId' in i.address && same(i.address.nodeId));
  if (!item)
    throw new TwinFlowError('unmappedNode', `${msg.topic} is not in the mapping`, { nodeId: msg.topic });
  const code =
    typeof msg.statusCode === 'string'
      ? msg.statusCode
      : ((msg.statusCode as { name?: string } | undefined)?.name ?? 'Good');
  const quality = qualityOf(code);
  let value = msg.payload;
  if (typeof value === 'number' && item.scale) value = toEngineering(value, item.scale);
  const sample: Record<string, unknown> = {
    value: quality === 'bad' ? null : value,
    quality,
    statusCode: code,
  };
  if (item.unit) sample.unit = item.unit;
  const ts = msg.sourceTimestamp;
  if (ts instanceof Date || typeof ts === 'number' || typeof ts === 'string')
    sample.sourceTimestamp = new Date(ts).getTime();
  return { topic: item.twin, payload: { [item.property]: sample } };
}
