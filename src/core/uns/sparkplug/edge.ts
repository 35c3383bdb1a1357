import { escapeLevel, unescapeLevel } from '../topic';
import { DataType, QUALITY, type Metric, type Payload } from './payload';

/**
 * A Sparkplug B edge node whose devices are twins (Sparkplug 3.0): topics, births, data, deaths, aliases and the
 * sequence numbers, as pure functions over plain state. The MQTT session, its will (NDEATH with bdSeq) and the
 * timing belong to the runtime (twin-uns).
 *
 *   spBv1.0/{group}/NBIRTH/{edge}           bdSeq, "Node Control/Rebirth"; seq 0
 *   spBv1.0/{group}/DBIRTH/{edge}/{twin}    every property: name, alias, datatype, value, Quality
 *   spBv1.0/{group}/DDATA/{edge}/{twin}     changed properties by alias
 *   spBv1.0/{group}/DDEATH/{edge}/{twin}    the twin is gone (or the edge node closes)
 *   spBv1.0/{group}/NDEATH/{edge}           bdSeq: the MQTT will, or published on a clean close
 *   spBv1.0/{group}/NCMD/{edge}, DCMD/{edge}/{twin}: rebirth requests and writes
 */
export const NAMESPACE = 'spBv1.0';
export const REBIRTH = 'Node Control/Rebirth';

export interface EdgeState {
  group: string;
  edge: string;
  /** Birth/death sequence of MQTT sessions: the NDEATH in the will carries the NBIRTH's value. */
  bdSeq: number;
  /** 0..255, per message of this edge node; NBIRTH is 0. */
  seq: number;
  /** twin -> property -> alias, unique across the edge node. */
  aliases: Record<string, Record<string, number>>;
  nextAlias: number;
  /** Twins whose DBIRTH was published in this session. */
  born: Record<string, boolean>;
}

export interface PropertySample {
  name: string;
  value: unknown;
  quality?: string;
  timestamp?: number;
  /** TwinFlow's property type: number, integer, boolean, string, object. */
  type?: string;
}

/** MQTT wildcards and separators are not allowed in Sparkplug ids: escaped as in every TwinFlow topic level. */
export const sparkplugId = (id: string): string => escapeLevel(id);

export function edgeState(group: string, edge: string, bdSeq = 0): EdgeState {
  return {
    group: sparkplugId(group),
    edge: sparkplugId(edge),
    bdSeq,
    seq: 0,
    aliases: {},
    nextAlias: 1,
    born: {},
  };
}

export function sparkplugTopic(s: EdgeState, type: string, twin?: string): string {
  return `${NAMESPACE}/${s.group}/${type}/${s.edge}${twin === undefined ? '' : `/${sparkplugId(twin)}`}`;
}

function nextSeq(s: EdgeState): number {
  const seq = s.seq;
  s.seq = (s.seq + 1) % 256;
  return seq;
}

function alias(s: EdgeState, twin: string, property: string): number {
  const forTwin = (s.aliases[twin] ??= {});
  return (forTwin[property] ??= s.nextAlias++);
}

function datatypeOf(sample: PropertySample): number {
  if (sample.type === 'boolean' || typeof sample.value === 'boolean') return DataType.Boolean;
  if (sample.type === 'integer') return DataType.Int64;
  if (sample.type === 'number' || typeof sample.value === 'number') return DataType.Double;
  return DataType.String;
}

function metric(s: EdgeState, twin: string, sample: PropertySample, withName: boolean): Metric {
  const datatype = datatypeOf(sample);
  const raw = sample.value;
  const value =
    raw === null || raw === undefined || (typeof raw === 'number' && !Number.isFinite(raw))
      ? null
      : datatype === DataType.String && typeof raw !== 'string'
        ? JSON.stringify(raw)
        : (raw as number | boolean | string);
  const quality = QUALITY[(sample.quality ?? 'good') as keyof typeof QUALITY] ?? QUALITY.bad;
  return {
    ...(withName ? { name: sample.name } : {}),
    alias: alias(s, twin, sample.name),
    ...(sample.timestamp !== undefined ? { timestamp: sample.timestamp } : {}),
    datatype,
    value,
    properties: { Quality: { type: DataType.Int32, value: quality } },
  };
}

/** A new session: seq restarts at 0 and every twin must be born again. */
export function nodeBirth(s: EdgeState, now: number): Payload {
  s.seq = 0;
  s.born = {};
  return {
    timestamp: now,
    seq: nextSeq(s),
    metrics: [
      { name: 'bdSeq', datatype: DataType.Int64, value: s.bdSeq, timestamp: now },
      { name: REBIRTH, datatype: DataType.Boolean, value: false, timestamp: now },
    ],
  };
}

/** The death certificate: the MQTT will of the session with this bdSeq (no seq, per the specification). */
export function nodeDeath(bdSeq: number, now: number): Payload {
  return { timestamp: now, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: bdSeq }] };
}

export function deviceBirth(s: EdgeState, twin: string, samples: PropertySample[], now: number): Payload {
  s.born[twin] = true;
  return { timestamp: now, seq: nextSeq(s), metrics: samples.map((x) => metric(s, twin, x, true)) };
}

/** Changed properties only, by alias (names were given in the DBIRTH). */
export function deviceData(s: EdgeState, twin: string, samples: PropertySample[], now: number): Payload {
  return { timestamp: now, seq: nextSeq(s), metrics: samples.map((x) => metric(s, twin, x, false)) };
}

export function deviceDeath(s: EdgeState, twin: string, now: number): Payload {
  s.born[twin] = false;
  return { timestamp: now, seq: nextSeq(s), metrics: [] };
}

export type Command =
  | { kind: 'rebirth' }
  | { kind: 'write'; twin: string; values: Record<string, unknown> }
  | { kind: 'ignored'; reason: string };

/** What an NCMD or DCMD asks, with aliases turned back into property names. */
export function parseCommand(s: EdgeState, topic: string, payload: Payload): Command {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE || parts[1] !== s.group || parts[3] !== s.edge)
    return { kind: 'ignored', reason: 'not for this edge node' };
  if (parts[2] === 'NCMD') {
    const rebirth = payload.metrics.some((m) => m.name === REBIRTH && m.value === true);
    return rebirth ? { kind: 'rebirth' } : { kind: 'ignored', reason: 'no rebirth request' };
  }
  if (parts[2] !== 'DCMD' || parts.length !== 5) return { kind: 'ignored', reason: 'not a command' };
  const twin = unescapeLevel(parts[4]);
  if (twin === undefined) return { kind: 'ignored', reason: 'not a twin id' };
  const byAlias = new Map(Object.entries(s.aliases[twin] ?? {}).map(([name, a]) => [a, name]));
  const values: Record<string, unknown> = {};
  for (const m of payload.metrics) {
    const name = m.name ?? (m.alias !== undefined ? byAlias.get(m.alias) : undefined);
    if (name === undefined) return { kind: 'ignored', reason: `unknown alias ${m.alias}` };
    values[name] = m.value;
  }
  return { kind: 'write', twin, values };
}
