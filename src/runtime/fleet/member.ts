import {
  acceptCommand,
  createPending,
  drainCommands,
  parseCommandBody,
  rememberCommand,
  settleCommands,
  type Command,
} from '../../core/fleet/commands';
import { desiredOf, documentFromSummary } from '../../core/fleet/mirror';
import {
  birth,
  decide,
  observe,
  parseOwnerMessage,
  startOwnership,
  type Ownership,
  type Role,
} from '../../core/fleet/ownership';
import {
  commandSubscription,
  ownerSubscription,
  ownerTopic,
  parseFleetTopic,
  twinTopic,
} from '../../core/fleet/topics';
import type { TwinFleetConfig } from '../../core/nodes/twin-fleet';
import { isTwinFlowError } from '../../core/errors';
import type { TwinModel } from '../../core/twin';
import type { Clock } from '../shared/clock';
import type { TwinStore } from '../model/store';
import type { FleetConnection } from './connection';
import { parseJson, putDocument } from './store-write';

/** Commands a standby keeps for a take-over (see PendingCommands). */
const PENDING_LIMIT = 100_000;

export interface MemberHooks {
  /** An accepted command, for twin-state (a `desire`). */
  desire(twin: string, property: string, value: unknown, clientToken?: string): void;
  role(role: Role, epoch: number): void;
  warn(text: string): void;
}

/**
 * An owner or standby of one partition (see core/fleet/ownership for the rules). While it owns the partition it
 * publishes every twin it is given and takes the partition's commands; while standby it mirrors the owner's
 * published twins into its own store (so versions continue after a take-over) and remembers the commands the owner
 * has not yet shown as applied, and applies them when it takes over.
 */
export class FleetMember {
  private ownership: Ownership;
  private readonly pending = createPending(PENDING_LIMIT);
  private readonly timer: unknown;
  /** Latest document per twin not yet handed to the broker (while disconnected): coalesced, so bounded by twins. */
  private readonly unsent = new Map<string, string>();
  published = 0;

  constructor(
    private readonly config: TwinFleetConfig,
    private readonly member: string,
    private readonly connection: FleetConnection,
    private readonly store: TwinStore,
    private readonly model: TwinModel,
    private readonly clock: Clock,
    private readonly hooks: MemberHooks,
  ) {
    this.ownership = startOwnership(
      {
        member,
        preferred: config.role === 'owner',
        takeBack: config.takeBack,
        leaseMs: config.leaseMs,
        settleMs: Math.min(2000, config.leaseMs),
      },
      clock.now(),
    );
    connection.on('message', (topic, body) => this.onMessage(topic, body));
    connection.on('state', (state) => {
      if (state === 'connected') this.announce();
    });
    const p = config.prefix;
    connection.open([ownerSubscription(p), `${p}/+/_twin`, commandSubscription(p)]);
    // Heartbeat and lease check: a third of the lease, so one lost heartbeat never lapses a live owner.
    this.timer = clock.setInterval(() => {
      this.update();
      this.announce();
    }, config.leaseMs / 3);
  }

  get role(): Role {
    return this.ownership.role;
  }

  get pendingCommands(): number {
    return this.pending.entries.size;
  }

  /** A twin-state output: published while this member owns the partition, else ignored (the owner publishes). */
  publishTwin(twin: { id: string }): boolean {
    if (this.ownership.role !== 'owner') return false;
    const payload = JSON.stringify(twin);
    if (!this.connection.connected) {
      this.unsent.set(twin.id, payload);
      return true;
    }
    this.send(twin.id, payload);
    return true;
  }

  private send(id: string, payload: string): void {
    this.published++;
    this.connection
      .publish(twinTopic(this.config.prefix, id), payload, this.config.qos, true)
      .catch(() => this.unsent.set(id, payload));
  }

  private announce(): void {
    if (!this.connection.connected) return;
    const body = JSON.stringify(birth(this.ownership, this.clock.now()));
    this.connection
      .publish(ownerTopic(this.config.prefix, this.member), body, 1, true)
      .catch(() => undefined);
    if (this.ownership.role === 'owner' && this.unsent.size > 0) {
      const unsent = [...this.unsent];
      this.unsent.clear();
      for (const [id, payload] of unsent) this.send(id, payload);
    }
  }

  private update(): void {
    const before = this.ownership.role;
    this.ownership = decide(this.ownership, this.clock.now());
    const after = this.ownership.role;
    if (after === before) return;
    this.announce();
    this.hooks.role(after, this.ownership.epoch);
    if (after === 'owner')
      for (const c of drainCommands(this.pending)) this.apply(c.twin, c.property, c.command);
  }

  private onMessage(topic: string, body: Buffer): void {
    const t = parseFleetTopic(topic);
    if (!t || t.partition !== this.config.prefix) return;
    if (t.kind === 'owner') {
      const message = parseOwnerMessage(parseJson(body));
      if (!message) return;
      this.ownership = observe(this.ownership, t.member, message, this.clock.now());
      this.update();
    } else if (t.kind === 'twin' && this.ownership.role === 'standby') {
      const summary = parseJson(body);
      const doc = documentFromSummary(summary, this.clock.now());
      if (!doc) return;
      settleCommands(this.pending, doc.id, desiredOf(summary));
      putDocument(this.store, doc, this.hooks.warn);
    } else if (t.kind === 'command') {
      const command = parseCommandBody(body.toString('utf8'));
      if (this.ownership.role === 'owner') this.apply(t.twin, t.property, command);
      else rememberCommand(this.pending, t.twin, t.property, command);
    }
  }

  /** Checks a command against the model: accepted ones go to twin-state and are answered, refused ones too. */
  private apply(twin: string, property: string, command: Command): void {
    const base = `${this.config.prefix}/${twin}/${property}/set`;
    const token = command.clientToken !== undefined ? { clientToken: command.clientToken } : {};
    try {
      const value = acceptCommand(this.model, property, command);
      this.hooks.desire(twin, property, value, command.clientToken);
      const body = JSON.stringify({ value, ...token, timestamp: this.clock.now() });
      this.connection.publish(`${base}/accepted`, body, this.config.qos, false).catch(() => undefined);
    } catch (err) {
      const reason = isTwinFlowError(err) ? err.message : String(err);
      const body = JSON.stringify({ reason, ...token, timestamp: this.clock.now() });
      this.connection.publish(`${base}/rejected`, body, this.config.qos, false).catch(() => undefined);
    }
  }

  /** The clean goodbye: an offline message (a clean disconnect discards the will), then the session ends. */
  async close(): Promise<void> {
    this.clock.clearInterval(this.timer);
    const topic = ownerTopic(this.config.prefix, this.member);
    await this.connection.close({
      topic,
      payload: JSON.stringify({ state: 'offline', member: this.member }),
    });
  }
}
