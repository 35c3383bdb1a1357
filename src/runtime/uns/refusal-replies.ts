import type { Clock } from '../shared/clock';

/** The window over which replies are counted and busy refusals for one topic gathered into one reply. */
const WINDOW_MS = 1000;
/** Replies (`/set/rejected`) sent per window at most; beyond, a refusal is only counted (see onUnanswered). */
const MAX_REPLIES = 1000;
/** Topics with gathered busy refusals at most; beyond, a busy refusal is only counted. */
const MAX_TOPICS = 1000;

interface Gathered {
  count: number;
  answer: (count: number) => void;
}

/**
 * Replies to refused commands, bounded: under overload every refused command answered on its own would itself be the
 * backlog (100,000 `/set/rejected` messages waiting to be published, about 1.5 KB of heap each until the broker
 * acknowledges them). Two rules:
 * - busy refusals are coalesced per reply topic: the first is answered at once; those that follow within WINDOW_MS
 *   are counted and answered together at the end of the window by one reply carrying their count (the latest
 *   command's reply), so the counts add up to the commands refused;
 * - at most MAX_REPLIES replies go out per window; a refusal beyond that (or a busy one for a topic beyond
 *   MAX_TOPICS) gets no reply, and the number of those is reported once per window (`onUnanswered`, a warning).
 * So a sender sees at most one busy reply per topic and second, and every refusal is answered as long as the
 * bridge refuses fewer than 1,000 commands a second.
 */
export class RefusalReplies {
  private readonly gathered = new Map<string, Gathered>();
  private sent = 0;
  private unanswered = 0;
  private timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly onUnanswered: (count: number) => void,
  ) {}

  /** Answers one refusal now, within the budget. */
  refuse(answer: () => void): void {
    this.arm();
    if (this.sent >= MAX_REPLIES) this.unanswered++;
    else {
      this.sent++;
      answer();
    }
  }

  /** A busy refusal: answered now, or gathered with the others for its topic (answer gets their count). */
  busy(topic: string, answer: (count: number) => void): void {
    const entry = this.gathered.get(topic);
    if (entry) {
      entry.count++;
      entry.answer = answer;
      return;
    }
    if (this.gathered.size >= MAX_TOPICS) {
      this.arm();
      this.unanswered++;
      return;
    }
    this.gathered.set(topic, { count: 0, answer });
    this.refuse(() => answer(1));
  }

  private arm(): void {
    this.timer ??= this.clock.setTimeout(this.flush, WINDOW_MS);
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    this.sent = 0;
    if (this.unanswered > 0) this.onUnanswered(this.unanswered);
    this.unanswered = 0;
    for (const [topic, entry] of this.gathered) {
      if (entry.count === 0) this.gathered.delete(topic);
      else {
        const { count, answer } = entry;
        entry.count = 0;
        this.refuse(() => answer(count));
      }
    }
    if (this.gathered.size > 0) this.arm();
  };

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.gathered.clear();
  }
}
