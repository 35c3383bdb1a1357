/**
 * The fleet's topics, all under a partition prefix (an instance's share of the namespace, e.g. Acme/Plant1/Line1):
 *   <prefix>/<twin>/_twin                  the whole twin, retained (the same topic twin-uns publishes)
 *   <prefix>/<twin>/<property>/set         a command to the twin's owner
 *   <prefix>/<twin>/<property>/set/accepted, .../set/rejected   the owner's answer
 *   <prefix>/_owner/<member>               a member's retained birth, heartbeat and (as its last will) death
 * Levels are cleaned as in the UNS templates, so an id can never add a level or widen a subscription.
 */
const level = (value: string): string => value.replace(/[+#/]/g, '_').replaceAll(String.fromCharCode(0), '_');

export const TWIN_LEVEL = '_twin';
export const OWNER_LEVEL = '_owner';

export const twinTopic = (prefix: string, twin: string): string => `${prefix}/${level(twin)}/${TWIN_LEVEL}`;
export const ownerTopic = (prefix: string, member: string): string =>
  `${prefix}/${OWNER_LEVEL}/${level(member)}`;
export const ownerSubscription = (prefix: string): string => `${prefix}/${OWNER_LEVEL}/+`;
export const commandTopic = (prefix: string, twin: string, property: string): string =>
  `${prefix}/${level(twin)}/${level(property)}/set`;
export const commandSubscription = (prefix: string): string => `${prefix}/+/+/set`;

/** A prefix is one or more non-empty levels with no wildcards. */
export function isPrefix(prefix: string): boolean {
  return (
    prefix !== '' &&
    !/[+#]/.test(prefix) &&
    !prefix.includes(String.fromCharCode(0)) &&
    prefix.split('/').every((l) => l !== '')
  );
}

export type FleetTopic =
  | { kind: 'twin'; partition: string; twin: string }
  | { kind: 'owner'; partition: string; member: string }
  | { kind: 'command'; partition: string; twin: string; property: string }
  | { kind: 'answer'; partition: string; twin: string; property: string; accepted: boolean };

/**
 * What a topic under the fleet root is, or undefined for anything else (per-property values, other apps' topics).
 * @example parseFleetTopic('Acme/L1/Pump01/_twin') // => { kind: 'twin', partition: 'Acme/L1', twin: 'Pump01' }
 */
export function parseFleetTopic(topic: string): FleetTopic | undefined {
  const parts = topic.split('/');
  const n = parts.length;
  const last = parts[n - 1];
  if (n >= 3 && last === TWIN_LEVEL)
    return { kind: 'twin', partition: join(parts, n - 2), twin: parts[n - 2] };
  if (n >= 3 && parts[n - 2] === OWNER_LEVEL && last !== '')
    return { kind: 'owner', partition: join(parts, n - 2), member: last };
  if (n >= 4 && last === 'set')
    return { kind: 'command', partition: join(parts, n - 3), twin: parts[n - 3], property: parts[n - 2] };
  if (n >= 5 && parts[n - 2] === 'set' && (last === 'accepted' || last === 'rejected'))
    return {
      kind: 'answer',
      partition: join(parts, n - 4),
      twin: parts[n - 4],
      property: parts[n - 3],
      accepted: last === 'accepted',
    };
  return undefined;
}

const join = (parts: string[], end: number): string => parts.slice(0, end).join('/');
