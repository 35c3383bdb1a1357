import type { Clock } from '../shared/clock';

/** How long busy refusals for one topic are gathered into one reply. */
const WINDOW_MS = 1000;
/** Topics with gathered refusals at most; beyond, a refusal is only counted (see onUnanswered). */
const MAX_TOPICS = 1000;

interface Gathered {
  count: number;
  answer: (count: number) => void;
}

/**
 * Replies to commands refused as `busy`, coalesced: under overload every refused command answered on its own would
 * itself be the backlog (100,000 `/set/rejected` messages waiting to be published). Per reply topic the first busy
 * refusal is answered at once; those that follow within WINDOW_MS are counted and answered together by one reply at
 * the end of the window carrying their count (the latest command's reply). So a sender sees at most one busy reply
 * per topic and second, and the counts add up to the commands refused. More than MAX_TOPICS topics refused in one
 * window: the rest get no reply and are reported together (`onUnanswered`, a warning).
 */
export class BusyReplies {
  private readonly gathered = new Map<string, Gathered>();
  private unanswered = 0;
  private timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly onUnanswered: (count: number) => void,
  ) {}

  refuse(topic: string, answer: (count: number) => void): void {
    const entry = this.gathered.get(topic);
    if (entry) {
      entry.count++;
      entry.answer = answer;
      return;
    }
    if (this.gathered.size >= MAX_TOPICS) {
      this.unanswered++;
      return;
    }
    answer(1);
    this.gathered.set(topic, { count: 0, answer });
    this.timer ??= this.clock.setTimeout(this.flush, WINDOW_MS);
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    for (const [topic, entry] of this.gathered) {
      if (entry.count === 0) this.gathered.delete(topic);
      else {
        entry.answer(entry.count);
        entry.count = 0;
      }
    }
    if (this.unanswered > 0) this.onUnanswered(this.unanswered);
    this.unanswered = 0;
    if (this.gathered.size > 0) this.timer = this.clock.setTimeout(this.flush, WINDOW_MS);
  };

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.gathered.clear();
  }
}
