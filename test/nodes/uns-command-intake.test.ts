import assert from 'node:assert/strict';
import { CommandIntake } from '../../src/runtime/uns/command-intake';
import { IncomingFlow } from '../../src/runtime/uns/incoming-flow';
import { RefusalReplies } from '../../src/runtime/uns/refusal-replies';
import { ManualClock } from '../helpers/clock';

const unexpected = (err?: unknown): never => assert.fail(String(err));

describe('twin-uns command intake (CommandIntake, RefusalReplies)', () => {
  it('merges accepted values for a twin still waiting (the newest per property wins), in the order twins came', () => {
    const clock = new ManualClock();
    const taken: [string, Record<string, unknown>][] = [];
    const intake = new CommandIntake(10, clock, (twin, values) => taken.push([twin, values]), unexpected);
    intake.offer('a', { speed: 1 }, unexpected);
    intake.offer('b', { speed: 2 }, unexpected);
    intake.offer('a', { speed: 3, mode: 'x' }, unexpected);
    intake.offer('a', { speed: 4 }, unexpected);
    assert.equal(intake.waiting, 2);
    clock.advance(5);
    assert.deepEqual(taken, [
      ['a', { speed: 4, mode: 'x' }],
      ['b', { speed: 2 }],
    ]);
    intake.offer('a', { speed: 5 }, unexpected);
    clock.advance(5);
    assert.deepEqual(taken.at(-1), ['a', { speed: 5 }], 'a taken twin waits again');
  });

  it('holds its source when full, refuses busy beyond, and releases when half is done', () => {
    const clock = new ManualClock();
    const holds: boolean[] = [];
    const intake = new CommandIntake(
      4,
      clock,
      () => undefined,
      unexpected,
      () => false,
      (on) => holds.push(on),
    );
    let busy = 0;
    for (let i = 0; i < 6; i++) intake.offer(`t${i}`, { speed: i }, () => busy++);
    intake.offer('t0', { speed: 9 }, () => busy++);
    assert.deepEqual(
      [holds, busy, intake.waiting],
      [[true], 2, 4],
      'a twin already waiting is merged, not refused',
    );
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
    assert.deepEqual(
      answered.at(-1),
      ['a', 1],
      'a quiet window ends the gathering: the next is answered at once',
    );
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

  it('incoming messages: a turn of the event loop every 200; QoS 1/2 held at the broker while anyone holds', () => {
    const clock = new ManualClock();
    const flow = new IncomingFlow(clock);
    let called = 0;
    for (let i = 0; i < 200; i++) flow.handle({ qos: 0 }, () => called++);
    assert.equal(called, 199, 'the 200th waits for the next turn');
    clock.advance(0);
    assert.equal(called, 200);
    flow.hold();
    flow.hold();
    flow.handle({ qos: 0 }, () => called++);
    flow.handle({ qos: 1 }, () => called++);
    assert.equal(called, 201, 'QoS 0 read on, QoS 1 held (not acknowledged, nothing read behind it)');
    flow.release();
    assert.equal(called, 201, 'held while anyone holds');
    flow.release();
    assert.equal(called, 202);
    flow.hold();
    flow.handle({ qos: 2 }, () => called++);
    flow.reset();
    flow.release();
    assert.equal(called, 202, 'a held message of an ended session is never acknowledged');
  });
});
