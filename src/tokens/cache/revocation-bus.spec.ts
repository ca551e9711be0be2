import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadTokensConfig } from '../../config/tokens.config';
import { buildDataSourceOptions } from '../../server/typeorm-options';
import { testAuthConfig, testConfigModule } from '../../../test/support/unit';
import { TestRedis, freePort, waitFor } from '../../../test/support/processes';
import { RedisModule } from '../../redis/redis.module';
import { RedisService } from '../../redis/redis.service';
import { RevocationOutboxEntry } from '../entities/revocation-outbox.entity';
import { TokenType } from '../entities/token.entity';
import { TokenState } from '../token-state';
import { RevocationBus } from './revocation-bus';
import { RevocationOutbox } from './revocation-outbox';
import { SharedTokenStateStore } from './shared-token-state.store';
import { TokenStateCache } from './token-state.cache';

const state = (jti: string): TokenState => ({
  jti,
  type: TokenType.Access,
  userId: 'u',
  familyId: 'f',
  expiresAt: Date.now() + 60_000,
  revoked: false,
  userDisabled: false,
});

/** One instance: its caches and bus, on a database file that instances of one test share. */
async function instance(
  env: Record<string, string>,
  database = join(mkdtempSync(join(tmpdir(), 'gatehouse-bus-')), 'db.sqlite'),
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ...(await testConfigModule(testAuthConfig(), loadTokensConfig(env))),
      TypeOrmModule.forRoot(
        buildDataSourceOptions({
          kind: 'sqlite',
          path: database,
          migrationsRun: true,
          logging: false,
          timeoutMs: 5000,
        }),
      ),
      TypeOrmModule.forFeature([RevocationOutboxEntry]),
      RedisModule,
    ],
    providers: [TokenStateCache, SharedTokenStateStore, RevocationBus, RevocationOutbox],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Until the store knows which Redis server it talks to, it reads and writes nothing. */
const identified = (m: TestingModule) =>
  waitFor(
    () => Promise.resolve(m.get(SharedTokenStateStore)['server'] !== undefined),
    5000,
    'server identified',
  );

/** What a revoking transaction does first: the outbox rows, committed. */
const recordInOutbox = (m: TestingModule, states: TokenState[]) =>
  m
    .get(DataSource)
    .transaction((manager) => m.get(RevocationOutbox).record(manager, states, new Date()));
const outboxSize = (m: TestingModule) =>
  m.get(DataSource).getRepository(RevocationOutboxEntry).count();

const cached = (m: TestingModule, jti: string) => m.get(TokenStateCache).get(jti) !== undefined;
const fill = (m: TestingModule, s: TokenState) => {
  const cache = m.get(TokenStateCache);
  cache.set(s, cache.begin());
};

describe('RevocationBus without Redis', () => {
  it('drops revoked tokens from the local cache at once', async () => {
    const m = await instance({});
    fill(m, state('a'));
    expect(cached(m, 'a')).toBe(true);
    await m.get(RevocationBus).publish([state('a')]);
    expect(cached(m, 'a')).toBe(false);
    await m.close();
  });
});

describe('RevocationBus.sync', () => {
  it('hands a caller a sync that begins after its call, never one already under way, and shares it', async () => {
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const outbox = {
      // The first read waits, as a slow database would; each read is counted.
      async *pending() {
        reads++;
        if (reads === 1) await gate;
        yield* [] as TokenState[][];
      },
    };
    const cache = {
      epoch: 0,
      trustUntil: () => true,
      invalidate: () => undefined,
      suspend: () => undefined,
    };
    const redis = { subscriber: { ping: () => Promise.resolve('PONG') } };
    const config = { get: () => ({ revocationSyncIntervalMs: 500 }) };
    const bus = new RevocationBus(
      redis as never,
      cache as never,
      {} as never,
      outbox as never,
      config as never,
    );
    Object.assign(bus, { subscribed: true });

    const first = bus.sync();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(1);
    // A revocation is recorded now: the sync under way may have read the outbox before it.
    const [second, third] = [bus.sync(), bus.sync()];
    expect(second).toBe(third);
    release();
    await first;
    await second;
    expect(reads).toBe(2);
  });
});

describe('RevocationBus with an unreachable Redis', () => {
  it('never trusts its cache, and keeps what it could not deliver in the outbox', async () => {
    const m = await instance({ REDIS_URL: 'redis://127.0.0.1:1' });
    fill(m, state('a'));
    expect(cached(m, 'a')).toBe(false);
    await expect(m.get(SharedTokenStateStore).get('a')).resolves.toBeUndefined();
    await recordInOutbox(m, [{ ...state('a'), revoked: true }]);
    await expect(m.get(RevocationBus).publish([state('a')])).resolves.toBeUndefined();
    await m.get(RevocationBus).sync();
    expect(m.get(TokenStateCache).isTrusted()).toBe(false);
    expect(await outboxSize(m)).toBe(1);
    await m.close();
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set');
}

// The shared-Redis cases exist only where a Redis is configured (always in CI).
if (redisUrl) {
  describe('RevocationBus and SharedTokenStateStore on Redis', () => {
    const env = () => ({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `gh-unit-${randomBytes(4).toString('hex')}:`,
    });

    it('carries a revocation from one instance to the cache of another', async () => {
      const shared = env();
      const [x, y] = await Promise.all([instance(shared), instance(shared)]);
      try {
        await waitFor(
          () => Promise.resolve(y.get(TokenStateCache).isTrusted()),
          5000,
          'y subscribed',
        );
        await Promise.all([identified(x), identified(y)]);
        fill(y, state('t1'));
        expect(cached(y, 't1')).toBe(true);
        await x.get(RevocationBus).publish([state('t1')]);
        await waitFor(() => Promise.resolve(!cached(y, 't1')), 1000, 'y dropped t1');
        expect(await y.get(SharedTokenStateStore).get('t1')).toMatchObject({ revoked: true });
      } finally {
        await Promise.all([x.close(), y.close()]);
      }
    });

    it('has another instance deliver a revocation its revoker could not write to Redis', async () => {
      const shared = env();
      const database = join(mkdtempSync(join(tmpdir(), 'gatehouse-bus-')), 'db.sqlite');
      const y = await instance(shared, database);
      // x revokes with its Redis unreachable: same deployment (prefix, database), no connection.
      const x = await instance({ ...shared, REDIS_URL: 'redis://127.0.0.1:1' }, database);
      try {
        await waitFor(() => Promise.resolve(y.get(TokenStateCache).isTrusted()), 5000, 'y in sync');
        await identified(y);
        const t = state('t4');
        fill(y, t);
        y.get(SharedTokenStateStore).fill(t);
        await waitFor(
          async () => (await y.get(SharedTokenStateStore).get('t4')) !== undefined,
          1000,
          'live in Redis',
        );

        await recordInOutbox(x, [{ ...t, revoked: true }]);
        await x.get(RevocationBus).publish([{ ...t, revoked: true }]);
        expect(await outboxSize(x)).toBe(1);
        expect(cached(y, 't4')).toBe(true);

        await y.get(RevocationBus).sync();
        expect(cached(y, 't4')).toBe(false);
        expect(await y.get(SharedTokenStateStore).get('t4')).toMatchObject({ revoked: true });
        expect(await outboxSize(y)).toBe(0);
        expect(y.get(TokenStateCache).isTrusted()).toBe(true);
      } finally {
        await Promise.all([x.close(), y.close()]);
      }
    });

    it('trusts nothing cached after a revocation it could not deliver, until a sync delivers it', async () => {
      const m = await instance(env());
      try {
        const bus = m.get(RevocationBus);
        const cache = m.get(TokenStateCache);
        await waitFor(() => Promise.resolve(cache.isTrusted()), 5000, 'in sync');
        await identified(m);
        fill(m, state('t5'));
        // Redis refuses the marker: the state in Redis may still say live.
        const store = m.get(SharedTokenStateStore);
        const markRevoked = jest.spyOn(store, 'markRevoked').mockResolvedValueOnce(false);
        await recordInOutbox(m, [{ ...state('t5'), revoked: true }]);
        await bus.publish([{ ...state('t5'), revoked: true }]);
        expect(cache.isTrusted()).toBe(false);
        markRevoked.mockRestore();

        await bus.sync();
        expect(cache.isTrusted()).toBe(true);
        expect(await store.get('t5')).toMatchObject({ revoked: true });
        expect(await outboxSize(m)).toBe(0);
      } finally {
        await m.close();
      }
    });

    it('reads nothing a Redis server held before it restarted, even restored from a snapshot', async () => {
      const server = new TestRedis(await freePort());
      await server.start();
      const m = await instance({ ...env(), REDIS_URL: server.url });
      try {
        await identified(m);
        const store = m.get(SharedTokenStateStore);
        store.fill(state('t6'));
        const reader = m.get(RedisService).client;
        await waitFor(async () => (await store.get('t6')) !== undefined, 1000, 'shared');
        const keys = await reader.keys('*tok:*t6');
        expect(keys).toHaveLength(1);
        const live = (await reader.get(keys[0])) as string;

        await server.stop();
        await server.start();
        // As if the new server had restored the old one's data: the "live", not its marker.
        await waitFor(
          async () => (await reader.set(keys[0], live).catch(() => null)) === 'OK',
          5000,
          'restored',
        );
        await identified(m);
        expect(await store.get('t6')).toBeUndefined();
      } finally {
        await m.close();
        await server.stop();
      }
    });

    it('never lets a fill overwrite a revoked marker', async () => {
      const m = await instance(env());
      try {
        await identified(m);
        const store = m.get(SharedTokenStateStore);
        await store.markRevoked([state('t2')]);
        store.fill(state('t2'));
        // Fills go out in order on one connection: once t3's has landed, t2's has been answered.
        store.fill(state('t3'));
        await waitFor(async () => (await store.get('t3')) !== undefined, 5000, 'fill of t3');
        expect(await store.get('t3')).toMatchObject({ revoked: false });
        expect(await store.get('t2')).toMatchObject({ revoked: true });
      } finally {
        await m.close();
      }
    });
  });
}
