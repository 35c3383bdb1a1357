import { documentFromSummary, withRemoteQuality } from '../../core/fleet/mirror';
import { createLag, lagSummary, recordLag } from '../../core/fleet/lag';
import { parseOwnerMessage } from '../../core/fleet/ownership';
import { commandTopic, parseFleetTopic } from '../../core/fleet/topics';
import type { TwinFleetConfig } from '../../core/nodes/twin-fleet';
import type { Clock } from '../shared/clock';
import type { TwinStore } from '../model/store';
import type { FleetConnection } from './connection';
import { parseJson, putDocument } from './store-write';

export interface MirrorHooks {
  /** An owner's answer to a command this mirror sent, or a partition coming online or going offline. */
  event(event: Record<string, unknown>): void;
  warn(text: string): void;
}

interface Partition {
  /** Members whose last word was a birth (online) and, of those, which said owner. */
  online: Map<string, boolean>;
  twins: Set<string>;
}

/**
 * A read-only view of every twin under the fleet prefix: each `_twin` document goes into the local twin-model store
 * (list, query and the sidebar then work as for local twins). Remote quality: when a partition has no online owner
 * any more (its owner's death arrived and no standby has taken over yet), its twins are marked stale and
 * 'uncertain', and good again when an owner is back. Writes go to the owner as `/set` commands; its answers
 * (`/set/accepted`, `/set/rejected`) come out of the node.
 */
export class FleetMirror {
  private readonly partitions = new Map<string, Partition>();
  private readonly twinPartition = new Map<string, string>();
  readonly lag = createLag();
  /** Documents that arrived with a lower version than the one held (an owner that lost its state, or split brain). */
  regressions = 0;
  received = 0;
  /** Documents received per partition (updates per second through the broker, per owner). */
  readonly perPartition: Record<string, number> = {};

  constructor(
    private readonly config: TwinFleetConfig,
    private readonly connection: FleetConnection,
    private readonly store: TwinStore,
    private readonly clock: Clock,
    private readonly hooks: MirrorHooks,
  ) {
    connection.on('message', (topic, body) => this.onMessage(topic, body));
    connection.open([`${config.prefix}/#`]);
  }

  /** Sends a write to a remote twin's owner; the answer comes back as an event. */
  desire(twin: string, values: Record<string, unknown>, clientToken?: string): Promise<void> {
    const partition = this.twinPartition.get(twin);
    if (partition === undefined) return Promise.reject(new Error(`no remote twin ${twin}`));
    const token = clientToken ?? `${this.clock.now()}-${Math.random().toString(36).slice(2, 8)}`;
    return Promise.all(
      Object.entries(values).map(([property, value]) =>
        this.connection.publish(
          commandTopic(partition, twin, property),
          JSON.stringify({ value, clientToken: token }),
          this.config.qos,
          false,
        ),
      ),
    ).then(() => undefined);
  }

  /** Starts the lag percentiles afresh (a benchmark's warm-up is over). */
  resetLag(): void {
    this.lag.counts.fill(0);
    this.lag.total = 0;
    this.lag.max = 0;
  }

  stats(): Record<string, unknown> {
    return {
      twins: this.store.size,
      received: this.received,
      perPartition: { ...this.perPartition },
      regressions: this.regressions,
      heapUsed: process.memoryUsage().heapUsed,
      lag: lagSummary(this.lag),
    };
  }

  private partition(name: string): Partition {
    let p = this.partitions.get(name);
    if (!p) {
      p = { online: new Map(), twins: new Set() };
      this.partitions.set(name, p);
    }
    return p;
  }

  /** No owner information at all (a plain twin-uns publisher) counts as online. */
  private ownerOnline(p: Partition): boolean {
    return p.online.size === 0 || [...p.online.values()].some((owner) => owner);
  }

  private onMessage(topic: string, body: Buffer): void {
    const t = parseFleetTopic(topic);
    if (!t) return;
    const now = this.clock.now();
    if (t.kind === 'twin') {
      const summary = documentFromSummary(parseJson(body), now);
      if (!summary) return;
      this.received++;
      this.perPartition[t.partition] = (this.perPartition[t.partition] ?? 0) + 1;
      recordLag(this.lag, now - summary.updated);
      const p = this.partition(t.partition);
      p.twins.add(summary.id);
      this.twinPartition.set(summary.id, t.partition);
      const held = this.store.get(summary.id);
      if (held && summary.version < held.version) this.regressions++;
      const doc = withRemoteQuality(summary, !this.ownerOnline(p) ? false : true) ?? summary;
      this.write(doc);
    } else if (t.kind === 'owner') {
      const message = parseOwnerMessage(parseJson(body));
      if (!message) return;
      const p = this.partition(t.partition);
      const before = this.ownerOnline(p);
      if (message.state === 'online') p.online.set(t.member, message.role === 'owner');
      else p.online.set(t.member, false);
      const after = this.ownerOnline(p);
      if (before !== after) this.setQuality(t.partition, p, after);
    } else if (t.kind === 'answer') {
      const answer = parseJson(body) as Record<string, unknown> | undefined;
      this.hooks.event({
        event: t.accepted ? 'accepted' : 'rejected',
        twin: t.twin,
        property: t.property,
        partition: t.partition,
        ...(typeof answer === 'object' && answer !== null ? answer : {}),
      });
    }
  }

  private setQuality(name: string, p: Partition, online: boolean): void {
    for (const id of p.twins) {
      const doc = this.store.get(id);
      const next = doc && withRemoteQuality(doc, online);
      if (next) this.write(next);
    }
    this.hooks.event({ event: online ? 'online' : 'offline', partition: name, twins: p.twins.size });
  }

  private write(doc: Parameters<typeof putDocument>[1]): void {
    putDocument(this.store, doc, this.hooks.warn);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
