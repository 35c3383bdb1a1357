/**
 * Who owns a partition, decided by each member from what the broker tells everyone: no consensus of our own.
 *
 * Every member publishes a retained birth on <prefix>/_owner/<member> ({state: 'online', role, epoch}), repeats it
 * as a heartbeat every lease/3, and leaves a retained last will ({state: 'offline'}) that the broker publishes when
 * the member's connection dies without a clean close (kill -9, power loss, network cut). The rules:
 * - A live owner is a member whose last birth said role 'owner', that has not died and whose heartbeat is younger
 *   than the lease. Among several, the highest (epoch, member id) wins and the others step down when they hear it.
 * - A standby claims the partition (epoch = highest known + 1) when no live owner remains: at once on a death
 *   message, after the lease when heartbeats stop.
 * - The configured owner claims at start only when no live owner is heard within the settle time (retained births
 *   arrive at once on subscribe); a returning owner therefore stays standby unless `takeBack` is set, in which case
 *   it claims with a higher epoch and the current owner steps down.
 * One broker (or one cluster that does not partition) delivers births and deaths in one order to everyone, so the
 * members agree. A partitioned broker cluster can give each side its own owner (split brain) until it heals; the
 * epoch then decides and the loser steps down, but both have published in between. See the README.
 */
export type Role = 'owner' | 'standby';

export interface MemberView {
  online: boolean;
  role: Role;
  epoch: number;
  /** When this member last heard the other's birth or heartbeat (its own clock). */
  seen: number;
}

export interface OwnershipSettings {
  member: string;
  /** Configured as the partition's owner (else a standby). */
  preferred: boolean;
  takeBack: boolean;
  leaseMs: number;
  settleMs: number;
}

export interface Ownership {
  settings: OwnershipSettings;
  role: Role;
  epoch: number;
  started: number;
  /** Other members, by id. */
  members: Record<string, MemberView>;
}

export interface OwnerMessage {
  state: 'online' | 'offline';
  role?: Role;
  epoch?: number;
}

export function startOwnership(settings: OwnershipSettings, now: number): Ownership {
  return { settings, role: 'standby', epoch: 0, started: now, members: {} };
}

/** A birth, heartbeat or death body, or undefined when it is not one. */
export function parseOwnerMessage(body: unknown): OwnerMessage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (b.state === 'offline') return { state: 'offline' };
  if (b.state !== 'online') return undefined;
  const epoch = typeof b.epoch === 'number' && Number.isSafeInteger(b.epoch) && b.epoch >= 0 ? b.epoch : 0;
  return { state: 'online', role: b.role === 'owner' ? 'owner' : 'standby', epoch };
}

/** What a member tells the others about itself. */
export function birth(o: Ownership, now: number): OwnerMessage & { member: string; at: number } {
  return { state: 'online', role: o.role, epoch: o.epoch, member: o.settings.member, at: now };
}

export function observe(o: Ownership, member: string, message: OwnerMessage, now: number): Ownership {
  if (member === o.settings.member) return o;
  const before = o.members[member];
  const view: MemberView =
    message.state === 'offline'
      ? {
          online: false,
          role: before?.role ?? 'standby',
          epoch: before?.epoch ?? 0,
          seen: before?.seen ?? now,
        }
      : { online: true, role: message.role ?? 'standby', epoch: message.epoch ?? 0, seen: now };
  return { ...o, members: { ...o.members, [member]: view } };
}

const outranks = (a: { epoch: number; id: string }, b: { epoch: number; id: string }): boolean =>
  a.epoch > b.epoch || (a.epoch === b.epoch && a.id > b.id);

/** The live owner other than this member, if any. */
export function liveOwner(o: Ownership, now: number): { id: string; epoch: number } | undefined {
  let best: { id: string; epoch: number } | undefined;
  for (const [id, m] of Object.entries(o.members)) {
    if (!m.online || m.role !== 'owner' || now - m.seen > o.settings.leaseMs) continue;
    if (!best || outranks({ id, epoch: m.epoch }, best)) best = { id, epoch: m.epoch };
  }
  return best;
}

const highestEpoch = (o: Ownership): number =>
  Math.max(o.epoch, ...Object.values(o.members).map((m) => m.epoch));

/**
 * The role this member should have now. Call after every observed message and on a timer (lease lapses are only
 * seen by looking at the time).
 */
export function decide(o: Ownership, now: number): Ownership {
  const other = liveOwner(o, now);
  const s = o.settings;
  if (o.role === 'owner') {
    if (other && outranks(other, { id: s.member, epoch: o.epoch })) return { ...o, role: 'standby' };
    return o;
  }
  const settled = now - o.started >= (s.preferred ? s.settleMs : Math.max(s.settleMs, s.leaseMs));
  if (!settled) return o;
  if (!other || (s.preferred && s.takeBack)) return { ...o, role: 'owner', epoch: highestEpoch(o) + 1 };
  return o;
}
