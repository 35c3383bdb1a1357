/**
 * Store-and-forward while the broker is away: a bounded FIFO of messages to publish, oldest dropped first when full,
 * with the count of what was dropped so it can be reported. Plain JSON, so it can be kept on disk.
 */
export interface PublishItem {
  topic: string;
  payload: string;
  retain: boolean;
  qos: 0 | 1 | 2;
}

export interface OutboxState {
  capacity: number;
  items: PublishItem[];
  dropped: number;
}

export function outbox(capacity: number): OutboxState {
  return { capacity: Math.max(1, Math.floor(capacity)), items: [], dropped: 0 };
}

/** Mutates and returns the state. */
export function enqueue(state: OutboxState, item: PublishItem): OutboxState {
  state.items.push(item);
  const excess = state.items.length - state.capacity;
  if (excess > 0) {
    state.items.splice(0, excess);
    state.dropped += excess;
  }
  return state;
}
