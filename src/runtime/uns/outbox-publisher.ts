import type { PublishItem } from '../../core/uns/buffer';
import type { BrokerConnection } from './client';
import type { DiskOutbox } from './disk-outbox';

/**
 * Store-and-forward over one broker connection: a live publish goes straight out while the outbox is empty;
 * otherwise (broker away, a flush under way, a publish that failed) it waits in the outbox, which is flushed oldest
 * first on every reconnect, each replayed item marked `"historical": true` so a consumer can tell it from a live value.
 */
export class OutboxPublisher {
  private flushing = false;

  constructor(
    private readonly box: DiskOutbox,
    private readonly connection: () => BrokerConnection | undefined,
    /** The outbox changed (for the status). */
    private readonly changed: () => void,
  ) {}

  publish(item: PublishItem): void {
    const c = this.connection();
    const queue = (): void => {
      this.box.add(item);
      this.changed();
    };
    if (c?.connected && this.box.length === 0 && !this.flushing)
      c.publish(item.topic, item.payload, item.qos, item.retain).catch(queue);
    else queue();
  }

  async flush(): Promise<void> {
    const c = this.connection();
    if (this.flushing || !c?.connected) return;
    this.flushing = true;
    try {
      await this.box.flush(
        (item) => c.publish(item.topic, historical(item.payload), item.qos, item.retain),
        () => c.connected,
      );
    } finally {
      this.flushing = false;
      this.changed();
    }
  }
}

function historical(payload: string): string {
  return JSON.stringify({ ...(JSON.parse(payload) as object), historical: true });
}
