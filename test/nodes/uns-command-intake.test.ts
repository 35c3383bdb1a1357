import assert from 'node:assert/strict';
import { CommandIntake } from '../../src/runtime/uns/command-intake';
import { RefusalReplies } from '../../src/runtime/uns/refusal-replies';
import { ManualClock } from '../helpers/clock';

const unexpected = (err: unknown): never => assert.fail(String(err));

describe('twin-uns command intake (CommandIntake, RefusalReplies)', () => {
  it('supersedes a waiting command with a newer one for the same key; commands without a key all wait', () => {
    const clock = new ManualClock();
    const intake = new CommandIntake(10, clock, unexpected);
    const decided: string[] = [];
    for (const v of ['a1', 'b1', 'a2', 'a3']) intake.offer(() => decided.push(v), assert.fail, v[0]);
    intake.offer(() => decided.push('x1'), assert.fail);
    intake.offer(() => decided.push('x2'), assert.fail);
    assert.equal(intake.waiting, 4);
    clock.advance(5);
    assert.deepEqual(decided, ['a3', 'b1', 'x1', 'x2'], 'the newest for a, in the order a was first queued');
    intake.offer(() => decided.push('a4'), assert.fail, 'a');
    clock.advance(5);
    assert.deepEqual(decided.at(-1), 'a4', 'a decided key waits again');
  });

  it('holds its source when full, refuses busy beyond, and releases when half is done', () => {
    const clock = new ManualClock();
    const holds: boolean[] = [];
    const intake = new CommandIntake(4, clock, unexpected, () => false, (on) => holds.push(on));
    let busy = 0;
    for (let i = 0; i < 6; i++) intake.offer(() => undefined, () => busy++, `k${i}`);
    assert.deepEqual([holds, busy, intake.waiting], [[true], 2, 4]);
    // The backlog (ready false) would stop draining, but a held source must be drained or it never sends acks.
    clock.advance(5);
    assert.deepEqual([holds, intake.waiting], [[true, false], 0]);
    intake.close();
  });

  it('coalesces busy replies per topic: one at once, the rest answered together with their count', () => {
    const clock = new ManualClock();
    const warned: number[] = [];
    const replies = new RefusalReplies(clock, (n) => warned.push(n));
    const answered: [string, number][] = [];
    const refuse = (topic: string) => replies.busy(topic, (count) => answered.push([topic, count]));
    for (let i = 0; i < 500; i++) refuse('a');
    refuse('b');
    assert.deepEqual(answered, [
      ['a', 1],
      ['b', 1],
    ]);
    clock.advance(1000);
    assert.deepEqual(answered.at(-1), ['a', 499], 'the counts add up to the commands refused');
    clock.advance(1000);
    refuse('a');
    assert.deepEqual(answered.at(-1), ['a', 1], 'a quiet window ends the gathering: the next is answered at once');
    for (let i = 0; i < 1500; i++) refuse(`t${i}`);
    clock.advance(1000);
    assert.deepEqual(warned, [501], 'beyond 1,000 topics a refusal is counted, not answered');
    replies.close();
  });

  it('answers at most 1,000 refusals a second; the rest are counted and reported once per second', () => {
    const clock = new ManualClock();
    const warned: number[] = [];
    const replies = new RefusalReplies(clock, (n) => warned.push(n));
    let answered = 0;
    for (let i = 0; i < 2500; i++) replies.refuse(() => answered++);
    assert.deepEqual([answered, warned], [1000, []]);
    clock.advance(1000);
    assert.deepEqual(warned, [1500]);
    for (let i = 0; i < 10; i++) replies.refuse(() => answered++);
    clock.advance(1000);
    assert.deepEqual([answered, warned], [1010, [1500]], 'under the budget every refusal is answered');
    replies.close();
  });
});
