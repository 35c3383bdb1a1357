import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishItem } from '../../../src/core/uns/buffer';
import { DiskOutbox } from '../../../src/runtime/uns/disk-outbox';

const item = (n: number): PublishItem => ({ topic: `t/${n}`, payload: String(n), qos: 1, retain: false });
const numbers = (items: PublishItem[]): number[] => items.map((i) => Number(i.payload));

describe('twin-uns outbox on disk (real files)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinflow-outbox-'));
    file = join(dir, 'outbox', 'n1.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the newest `capacity` items across a reopen, counting what it dropped', () => {
    const box = new DiskOutbox(file, 5);
    for (let i = 1; i <= 12; i++) box.add(item(i));
    assert.deepEqual(numbers(box.state.items), [8, 9, 10, 11, 12]);
    assert.equal(box.state.dropped, 7);
    const reopened = new DiskOutbox(file, 5);
    assert.deepEqual(numbers(reopened.state.items), [8, 9, 10, 11, 12], 'what waits survives a restart');
  });

  it('skips a torn last line (a crash in the middle of a write) and says how many', () => {
    const box = new DiskOutbox(file, 10);
    box.add(item(1));
    box.add(item(2));
    appendFileSync(file, '{"topic":"t/3","payl');
    const reopened = new DiskOutbox(file, 10);
    assert.deepEqual(numbers(reopened.state.items), [1, 2]);
    assert.equal(reopened.unreadable, 1);
  });

  it('flushes in order, forgets only what was sent, and keeps the rest when sending fails', async () => {
    const box = new DiskOutbox(file, 10);
    for (let i = 1; i <= 6; i++) box.add(item(i));
    const sent: number[] = [];
    const delivered = await box.flush(
      async (i) => {
        if (sent.length === 3) throw new Error('broker gone');
        sent.push(Number(i.payload));
      },
      () => true,
    );
    assert.equal(delivered, 3);
    assert.deepEqual(sent, [1, 2, 3]);
    assert.deepEqual(numbers(box.state.items), [4, 5, 6]);
    assert.deepEqual(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => Number((JSON.parse(l) as PublishItem).payload)),
      [4, 5, 6],
      'the file holds exactly what waits',
    );
  });

  it('follows drops made while a flush is under way: nothing sent twice, nothing skipped that is still there', async () => {
    const box = new DiskOutbox(file, 5);
    for (let i = 1; i <= 5; i++) box.add(item(i));
    const sent: number[] = [];
    let next = 6;
    await box.flush(
      async (i) => {
        sent.push(Number(i.payload));
        // While 2 is being sent, three new updates arrive into the full outbox: 1, 2 and 3 are dropped (1 and 2 were
        // sent already, 3 never will be: it counts as dropped).
        if (i.payload === '2') for (let k = 0; k < 3; k++) box.add(item(next++));
      },
      () => true,
    );
    assert.deepEqual(sent, [1, 2, 4, 5, 6, 7, 8]);
    assert.deepEqual(numbers(box.state.items), []);
    assert.equal(box.state.dropped, 3);
  });
});
