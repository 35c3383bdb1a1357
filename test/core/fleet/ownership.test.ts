import assert from 'node:assert/strict';
import {
  decide,
  liveOwner,
  observe,
  parseOwnerMessage,
  startOwnership,
  type OwnershipSettings,
} from '../../../src/core/fleet/ownership';

const settings = (over: Partial<OwnershipSettings> = {}): OwnershipSettings => ({
  member: 'B',
  preferred: false,
  takeBack: false,
  leaseMs: 10_000,
  settleMs: 2000,
  ...over,
});

describe('fleet ownership', () => {
  it('the configured owner claims after the settle time when no owner is heard', () => {
    let o = startOwnership(settings({ member: 'A', preferred: true }), 0);
    o = decide(o, 1000);
    assert.equal(o.role, 'standby');
    o = decide(o, 2000);
    assert.equal(o.role, 'owner');
    assert.equal(o.epoch, 1);
  });

  it('a standby waits while heartbeats arrive, and claims when the death arrives', () => {
    let o = startOwnership(settings(), 0);
    for (let t = 0; t <= 30_000; t += 3000) {
      o = observe(o, 'A', { state: 'online', role: 'owner', epoch: 4 }, t);
      o = decide(o, t);
      assert.equal(o.role, 'standby');
    }
    o = observe(o, 'A', { state: 'offline' }, 31_000);
    o = decide(o, 31_000);
    assert.equal(o.role, 'owner');
    assert.equal(o.epoch, 5);
  });

  it('a standby claims when the owner heartbeat is older than the lease', () => {
    let o = startOwnership(settings(), 0);
    o = observe(o, 'A', { state: 'online', role: 'owner', epoch: 1 }, 20_000);
    assert.equal(decide(o, 29_000).role, 'standby');
    assert.equal(decide(o, 30_001).role, 'owner');
  });

  it('a returning owner stays standby, unless take back is set', () => {
    const heard = (takeBack: boolean) => {
      let o = startOwnership(settings({ member: 'A', preferred: true, takeBack }), 0);
      o = observe(o, 'B', { state: 'online', role: 'owner', epoch: 2 }, 10);
      return decide(o, 3000);
    };
    assert.equal(heard(false).role, 'standby');
    const back = heard(true);
    assert.equal(back.role, 'owner');
    assert.equal(back.epoch, 3);
  });

  it('an owner steps down when it hears an owner of higher epoch (or same epoch, higher id)', () => {
    let o = startOwnership(settings({ member: 'B', preferred: true }), 0);
    o = decide(o, 5000);
    assert.equal(o.role, 'owner');
    o = observe(o, 'A', { state: 'online', role: 'owner', epoch: o.epoch }, 5001);
    assert.equal(decide(o, 5001).role, 'owner', 'B outranks A at the same epoch');
    o = observe(o, 'C', { state: 'online', role: 'owner', epoch: o.epoch }, 5002);
    assert.equal(decide(o, 5002).role, 'standby');
    assert.deepEqual(liveOwner(o, 5002), { id: 'C', epoch: 1 });
  });

  it('reads births and deaths, and ignores anything else', () => {
    assert.deepEqual(parseOwnerMessage({ state: 'online', role: 'owner', epoch: 3 }), {
      state: 'online',
      role: 'owner',
      epoch: 3,
    });
    assert.deepEqual(parseOwnerMessage({ state: 'offline' }), { state: 'offline' });
    assert.equal(parseOwnerMessage('x'), undefined);
    assert.equal(parseOwnerMessage({ state: 'maybe' }), undefined);
    assert.equal(parseOwnerMessage({ state: 'online', epoch: -1 })?.epoch, 0);
  });
});
