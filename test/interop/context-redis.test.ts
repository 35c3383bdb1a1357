import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createClient } from 'redis';
import { rebuild } from '../../src/core/context/path';
import { RedisServer } from '../helpers/redis';

interface Store {
  open(): Promise<void>;
  close(): Promise<void>;
  get(scope: string, key: string | string[], cb?: (err?: Error | null, ...v: unknown[]) => void): unknown;
  set(scope: string, key: string, value: unknown, cb?: (err?: Error | null) => void): void;
  keys(scope: string, cb?: (err: Error | null, keys: string[]) => void): unknown;
  delete(scope: string): Promise<void>;
  clean(active: string[]): Promise<void>;
  readonly waiting: number;
}
// The built module, as settings.js requires it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const contextRedis = require(join(__dirname, '..', '..', 'nodes', 'context-redis.js')) as (
  config: object,
) => Store;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBack(url: string, scope: string): Promise<Record<string, unknown>> {
  const client = createClient({ url });
  await client.connect();
  const hash = await client.hGetAll(`nodered:${scope}`);
  await client.close();
  return rebuild(hash);
}

describe('context-redis: a Node-RED context store on a real redis-server', function () {
  this.timeout(90_000);
  const redis = new RedisServer();
  let url = '';

  before(async () => {
    url = await redis.start();
  });
  after(async () => {
    await redis.dispose();
  });

  it('implements get, set, keys, delete and clean, and a second store reads what the first wrote', async () => {
    const a = contextRedis({ url, prefix: 'nodered' });
    await a.open();
    a.set('global', 'twins', { t_1: { v: 1 }, t_2: { v: 2 } });
    a.set('global', 'twins.t_2.v', 20);
    a.set('global', 'twins["t.3"]', { v: 3 });
    a.set('global', 'twins.t_1', undefined);
    a.set('n1:flow', 'count', 5);
    a.set('gone', 'x', 1);
    assert.deepEqual(a.get('global', 'twins'), { t_2: { v: 20 }, 't.3': { v: 3 } });
    await new Promise<void>((resolve, reject) =>
      a.get('global', ['twins.t_2.v', 'missing'], (err, v1, v2) => {
        try {
          assert.equal(err, null);
          assert.equal(v1, 20);
          assert.equal(v2, undefined);
          resolve();
        } catch (e) {
          reject(e as Error);
        }
      }),
    );
    assert.deepEqual(a.keys('global'), ['twins']);
    await a.clean(['n1']);
    await a.close();
    const b = contextRedis({ url });
    await b.open();
    assert.deepEqual(b.get('global', 'twins'), { t_2: { v: 20 }, 't.3': { v: 3 } });
    assert.equal(b.get('n1:flow', 'count'), 5);
    assert.equal(b.get('gone', 'x'), undefined, 'clean removed the scope of a node that is gone');
    await b.delete('global');
    await b.close();
    assert.deepEqual(await readBack(url, 'global'), {});
  });

  it('survives redis-server stopped for 10 s under load: no crash, a clear log, Redis equal to memory after', async () => {
    const logs: string[] = [];
    const store = contextRedis({ url, log: (t: string) => logs.push(t) });
    await store.open();
    const expected: Record<string, { n: number }> = {};
    let writes = 0;
    let running = true;
    // About 2,000 writes a second over 1,000 twins, as a twin store under load writes them.
    const load = (async () => {
      while (running) {
        for (let i = 0; i < 20; i++) {
          const key = `t_${writes % 1000}`;
          const value = { n: writes };
          store.set('global', `twins.${key}`, value, (err) => {
            if (err) throw err;
          });
          expected[key] = value;
          writes++;
        }
        await sleep(10);
      }
    })();
    await sleep(1000);
    await redis.stop();
    await sleep(10_000);
    assert.ok(
      logs.some((l) => l.includes(url) && l.includes('unreachable')),
      `logs: ${logs.join('\n')}`,
    );
    assert.ok(store.waiting > 0, 'writes wait during the outage');
    assert.deepEqual(store.get('global', 'twins.t_7'), expected.t_7, 'reads answer from memory');
    await redis.start();
    await sleep(2000);
    running = false;
    await load;
    for (let i = 0; i < 100 && store.waiting > 0; i++) await sleep(100);
    assert.equal(store.waiting, 0);
    assert.ok(
      logs.some((l) => l.includes('reconnected')),
      `logs: ${logs.join('\n')}`,
    );
    assert.deepEqual((await readBack(url, 'global')).twins, expected);
    await store.close();
    const again = contextRedis({ url });
    await again.open();
    assert.deepEqual(again.get('global', 'twins'), expected);
    await again.close();
  });

  it('refuses a write beyond the outage bound with an error naming Redis, and keeps the rest', async () => {
    const logs: string[] = [];
    const store = contextRedis({ url, maxPending: 10, log: (t: string) => logs.push(t) });
    await store.open();
    await redis.stop();
    await sleep(500);
    const errors: Error[] = [];
    for (let i = 0; i < 15; i++) store.set('s', `k${i}`, i, (err) => err && errors.push(err));
    assert.equal(errors.length, 5);
    assert.match(errors[0].message, /unreachable.*refused/);
    assert.equal(store.get('s', 'k14'), undefined, 'a refused write changes nothing');
    assert.equal(store.get('s', 'k9'), 9);
    await redis.start();
    for (let i = 0; i < 100 && store.waiting > 0; i++) await sleep(100);
    assert.equal(store.waiting, 0);
    await store.close();
    assert.deepEqual(await readBack(url, 's'), {
      k0: 0,
      k1: 1,
      k2: 2,
      k3: 3,
      k4: 4,
      k5: 5,
      k6: 6,
      k7: 7,
      k8: 8,
      k9: 9,
    });
  });
});
