import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { loadTokensConfig } from '../config/tokens.config';
import { RedisModule } from '../redis/redis.module';
import { RedisService } from '../redis/redis.service';
import { testAuthConfig, testConfigModule } from '../../test/support/unit';
import { waitFor } from '../../test/support/processes';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set');
}

/** One instance's Redis connections, as RedisModule makes them from REDIS_URL and its prefix. */
async function redisModule(url: string, prefix: string): Promise<TestingModule> {
  const tokens = loadTokensConfig({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
  const moduleRef = await Test.createTestingModule({
    imports: [...(await testConfigModule(testAuthConfig(), tokens)), RedisModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

const MINUTE = 60_000;

// Against a real Redis (always in CI): the Lua script is what runs there, and nowhere else.
(redisUrl ? describe : describe.skip)('RedisThrottlerStorage on Redis', () => {
  const url = redisUrl as string;
  const opened: TestingModule[] = [];
  /** An instance of a deployment: its own connections, the deployment's key prefix. */
  const instance = async (prefix: string) => {
    const m = await redisModule(url, prefix);
    opened.push(m);
    return { storage: new RedisThrottlerStorage(m.get(RedisService)), redis: m.get(RedisService) };
  };
  const deployment = () => `gh-unit-rl-${randomBytes(4).toString('hex')}:`;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((m) => m.close()));
  });

  it('shares one count between the instances of a deployment, and none with another deployment', async () => {
    const prefix = deployment();
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const other = await instance(deployment());

    expect((await a.storage.increment('ip:192.0.2.1', MINUTE, 10, MINUTE, 'ip')).totalHits).toBe(1);
    expect((await b.storage.increment('ip:192.0.2.1', MINUTE, 10, MINUTE, 'ip')).totalHits).toBe(2);
    expect((await a.storage.increment('ip:192.0.2.1', MINUTE, 10, MINUTE, 'ip')).totalHits).toBe(3);
    // Another key, another throttler name, another deployment: each counts from one.
    expect((await a.storage.increment('ip:192.0.2.2', MINUTE, 10, MINUTE, 'ip')).totalHits).toBe(1);
    expect(
      (await a.storage.increment('ip:192.0.2.1', MINUTE, 10, MINUTE, 'account')).totalHits,
    ).toBe(1);
    expect(
      (await other.storage.increment('ip:192.0.2.1', MINUTE, 10, MINUTE, 'ip')).totalHits,
    ).toBe(1);
  });

  it('opens a fixed window at the first hit, which later hits do not stretch', async () => {
    const { storage, redis } = await instance(deployment());
    const window = redis.key('rl', 'ip', 'k');

    const first = await storage.increment('k', 30 * MINUTE, 10, MINUTE, 'ip');
    expect(first.timeToExpire).toBe(30 * 60);
    const opened = await redis.client.pttl(window);
    expect(opened).toBeGreaterThan(29 * MINUTE);
    expect(opened).toBeLessThanOrEqual(30 * MINUTE);
    // Redis's clock runs on meanwhile: a second hit that re-armed the window would show more.
    await redis.client.pexpire(window, 10 * MINUTE);
    const second = await storage.increment('k', 30 * MINUTE, 10, MINUTE, 'ip');
    expect(second.totalHits).toBe(2);
    expect(second.timeToExpire).toBeLessThanOrEqual(10 * 60);
    expect(await redis.client.pttl(window)).toBeLessThanOrEqual(10 * MINUTE);
  });

  it('counts from one again once the window has expired', async () => {
    const { storage, redis } = await instance(deployment());
    const window = redis.key('rl', 'ip', 'k');
    // Redis expires the window on its own clock: a short one, and wait for Redis to drop it.
    for (let i = 0; i < 3; i++) await storage.increment('k', 200, 10, 200, 'ip');
    await waitFor(async () => (await redis.client.exists(window)) === 0, 10_000, 'window expired');
    const next = await storage.increment('k', 200, 10, 200, 'ip');
    expect([next.totalHits, next.isBlocked]).toEqual([1, false]);
  });

  it('blocks the key past its limit for the block duration, counting nothing meanwhile, on every instance', async () => {
    const prefix = deployment();
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const block = a.redis.key('rl-block', 'ip', 'k');

    const seen = [];
    for (const { storage } of [a, b, a])
      seen.push(await storage.increment('k', MINUTE, 2, 5 * MINUTE, 'ip'));
    expect(seen.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(seen[2].timeToBlockExpire).toBe(5 * 60);
    expect(await a.redis.client.pttl(block)).toBeGreaterThan(4 * MINUTE);

    // Blocked for the other instance too, and a hit while blocked is not counted.
    const during = await b.storage.increment('k', MINUTE, 2, 5 * MINUTE, 'ip');
    expect([during.totalHits, during.isBlocked]).toEqual([3, true]);
    expect(during.timeToBlockExpire).toBeGreaterThan(4 * 60);
    expect(during.timeToBlockExpire).toBeLessThanOrEqual(5 * 60);

    // The block over (its key gone) within the same window: counting resumes where it was.
    await a.redis.client.del(block);
    const after = await a.storage.increment('k', MINUTE, 10, 5 * MINUTE, 'ip');
    expect([after.totalHits, after.isBlocked]).toEqual([4, false]);
  });

  it('counts in memory while Redis fails: limits loosen to one instance, they never vanish', async () => {
    const { storage, redis } = await instance(deployment());
    // What ioredis answers once the connection is gone (commands fail fast: no offline queue).
    jest.spyOn(redis.client, 'eval').mockRejectedValue(new Error('Connection is closed.'));
    try {
      const hits = [];
      for (let i = 0; i < 3; i++) hits.push(await storage.increment('k', MINUTE, 2, MINUTE, 'ip'));
      expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
    } finally {
      storage.onApplicationShutdown();
    }
  });

  it('lifts the block when Redis expires it', async () => {
    const { storage, redis } = await instance(deployment());
    const block = redis.key('rl-block', 'ip', 'k');
    for (let i = 0; i < 2; i++) await storage.increment('k', 30 * MINUTE, 1, 200, 'ip');
    expect(await redis.client.exists(block)).toBe(1);
    await waitFor(async () => (await redis.client.exists(block)) === 0, 10_000, 'block expired');
    // Still over the limit in the same window: the next hit blocks again, for the block duration.
    const next = await storage.increment('k', 30 * MINUTE, 1, 200, 'ip');
    expect([next.totalHits, next.isBlocked, next.timeToBlockExpire]).toEqual([3, true, 1]);
  });
});
