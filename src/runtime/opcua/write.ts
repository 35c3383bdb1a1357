import { AttributeIds, DataType, type ClientSession, type NodeId } from 'node-opcua';
import { isTwinFlowError } from '../../core/errors';
import { coerceForWrite } from '../../core/opcua/coerce';
import { toRaw, type MappedItem } from '../../core/opcua/mapping';
import type { MapSession } from './map-session';

export interface WriteAck {
  status: 'accepted' | 'rejected';
  reason?: string;
}

/**
 * Writes desired values to writable mapped properties only, each coerced to the variable's built-in type (from the
 * mapping, else asked of the server once and cached) and scaled back to raw units. Returns an acknowledgement per
 * property in the shape twin-state's `ack` action takes. Never throws for a bad value: it becomes a rejection.
 */
export async function writeDesired(
  session: ClientSession | undefined,
  desired: Record<string, unknown>,
  twin: string,
  items: MappedItem[],
  mapSession: MapSession | undefined,
): Promise<Record<string, WriteAck>> {
  const acks: Record<string, WriteAck> = {};
  const writes: { property: string; nodeId: NodeId; dataType: DataType; value: number | boolean | string }[] =
    [];
  for (const [property, value] of Object.entries(desired)) {
    const item = items.find((i) => i.twin === twin && i.property === property);
    const entry = item && { item, nodeId: mapSession?.resolved(twin, property)?.nodeId };
    if (!entry) {
      acks[property] = { status: 'rejected', reason: `${property} is not mapped to OPC UA` };
      continue;
    }
    if (!entry.item.writable) {
      acks[property] = { status: 'rejected', reason: `${property} is not writable in the mapping` };
      continue;
    }
    if (!session || !entry.nodeId) {
      acks[property] = {
        status: 'rejected',
        reason: 'not connected to the OPC UA server, or the item is bad',
      };
      continue;
    }
    try {
      const typeName = entry.item.dataType ?? DataType[await session.getBuiltInDataType(entry.nodeId)];
      const engineering =
        typeof value === 'number' && entry.item.scale ? toRaw(value, entry.item.scale) : value;
      const coerced = coerceForWrite(engineering, typeName, property);
      writes.push({
        property,
        nodeId: entry.nodeId,
        dataType: DataType[typeName as keyof typeof DataType],
        value: coerced,
      });
    } catch (err) {
      acks[property] = {
        status: 'rejected',
        reason: isTwinFlowError(err) ? err.message : `cannot write: ${(err as Error).message}`,
      };
    }
  }
  if (writes.length > 0 && session) {
    const statuses = await session.write(
      writes.map((w) => ({
        nodeId: w.nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: w.dataType, value: w.value } },
      })),
    );
    statuses.forEach((status, i) => {
      acks[writes[i].property] = status.isGood()
        ? { status: 'accepted' }
        : { status: 'rejected', reason: status.name };
    });
  }
  return acks;
}
