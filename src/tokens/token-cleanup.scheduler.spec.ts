import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { loadTokensConfig } from '../config/tokens.config';
import { RedisModule } from '../redis/redis.module';
import { RedisService } from '../redis/redis.service';
import { testAuthConfig, testConfigModule } from '../../test/support/unit';
import { waitFor } from '../../test/support/processes';
import { TokenCleanupScheduler } from './token-cleanup.scheduler';
import { TokenCleanupService } from './token-cleanup.service';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set');
}

const HOUR = 3_600_000;
const NOTHING = { tokens: 0, sessions: 0, oneTimeTokens: 0 };

/**
 * A purge that runs until the test lets it end, so that runs can be made to overlap: the lock and
 * the guard against overlapping are what is under test here, not the deletes
 * (token-cleanup.service.spec.ts covers those).
 */
class HeldPurge {
  runs = 0;
  private releases: Array<() => void> = [];
  readonly service = {
    purgeExpired: () => {
      this.runs++;
      return new Promise<typeof NOTHING>((ok) => this.releases.push(() => ok(NOTHING)));
    },
  };

  release(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

/** One instance: its scheduler, over its own Redis connections when `env` names a REDIS_URL. */
async function instance(purge: HeldPurge, env: Record<string, string> = {}) {
  const tokens = loadTokensConfig({ TOKEN_CLEANUP_INTERVAL: '0', ...env });
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [...(await testConfigModule(testAuthConfig(), tokens)), RedisModule],
    providers: [TokenCleanupScheduler, { provide: TokenCleanupService, useValue: purge.service }],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('TokenCleanupScheduler', () => {
  const opened: TestingModule[] = [];
  const open = async (purge: HeldPurge, env?: Record<string, string>) => {
    const m = await instance(purge, env);
    opened.push(m);
    return m;
  };
  afterEach(async () => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    await Promise.all(opened.splice(0).map((m) => m.close()));
  });

  describe('without Redis', () => {
    it('runs at every tick, but never twice at once on one instance', async () => {
      const purge = new HeldPurge();
      const scheduler = (await open(purge)).get(TokenCleanupScheduler);
      const first = scheduler.tick(HOUR);
      await waitFor(() => Promise.resolve(purge.runs === 1), 5000, 'first run under way');
      // The previous run is still going: this tick skips.
      await scheduler.tick(HOUR);
      expect(purge.runs).toBe(1);
      purge.release();
      await first;
      const second = scheduler.tick(HOUR);
      await waitFor(() => Promise.resolve(purge.runs === 2), 5000, 'second run under way');
      purge.release();
      await second;
    });

    it('logs a failed run, and runs again at the next tick', async () => {
      const purge = new HeldPurge();
      const scheduler = (await open(purge)).get(TokenCleanupScheduler);
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const purgeExpired = jest
        .spyOn(purge.service, 'purgeExpired')
        .mockRejectedValueOnce(new Error('database gone'));
      await scheduler.tick(HOUR);
      expect(error).toHaveBeenCalledWith('cleanup failed: database gone');
      purgeExpired.mockResolvedValueOnce(NOTHING);
      await scheduler.tick(HOUR);
      expect(purgeExpired).toHaveBeenCalledTimes(2);
    });

    it('ticks every TOKEN_CLEANUP_INTERVAL from the start, and not after shutdown', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const purge = new HeldPurge();
      const m = await instance(purge, { TOKEN_CLEANUP_INTERVAL: '10m' });
      const tick = jest.spyOn(m.get(TokenCleanupScheduler), 'tick').mockResolvedValue();
      await jest.advanceTimersByTimeAsync(10 * 60_000 - 1);
      expect(tick).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(tick).toHaveBeenCalledWith(10 * 60_000);
      await jest.advanceTimersByTimeAsync(10 * 60_000);
      expect(tick).toHaveBeenCalledTimes(2);
      await m.close();
      await jest.advanceTimersByTimeAsync(60 * 60_000);
      expect(tick).toHaveBeenCalledTimes(2);
    });

    it('never ticks with TOKEN_CLEANUP_INTERVAL=0', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const m = await open(new HeldPurge(), { TOKEN_CLEANUP_INTERVAL: '0' });
      const tick = jest.spyOn(m.get(TokenCleanupScheduler), 'tick');
      await jest.advanceTimersByTimeAsync(24 * HOUR);
      expect(tick).not.toHaveBeenCalled();
    });
  });

  // The lock lives in a real Redis (always in CI).
  (redisUrl ? describe : describe.skip)('with Redis', () => {
    const deployment = () => ({
      REDIS_URL: redisUrl as string,
      REDIS_KEY_PREFIX: `gh-unit-cleanup-${randomBytes(4).toString('hex')}:`,
    });

    it('lets one of two instances ticking at once do the work, and the other skip', async () => {
      const env = deployment();
      const purge = new HeldPurge();
      const [a, b] = await Promise.all([open(purge, env), open(purge, env)]);
      const ticks = Promise.all([
        a.get(TokenCleanupScheduler).tick(HOUR),
        b.get(TokenCleanupScheduler).tick(HOUR),
      ]);
      await waitFor(() => Promise.resolve(purge.runs === 1), 5000, 'one run under way');
      purge.release();
      await ticks;
      expect(purge.runs).toBe(1);
      // Finished, but the interval is not over: neither instance runs again within it.
      await a.get(TokenCleanupScheduler).tick(HOUR);
      await b.get(TokenCleanupScheduler).tick(HOUR);
      expect(purge.runs).toBe(1);
    });

    it('holds the lock for the interval less a second, and lets the next run go once it expires', async () => {
      const env = deployment();
      const purge = new HeldPurge();
      const m = await open(purge, env);
      const redis = m.get(RedisService);
      const lock = redis.key('cleanup-lock');
      const scheduler = m.get(TokenCleanupScheduler);

      const hourly = scheduler.tick(HOUR);
      await waitFor(() => Promise.resolve(purge.runs === 1), 5000, 'run under way');
      purge.release();
      await hourly;
      const held = await redis.client.pttl(lock);
      expect(held).toBeGreaterThan(HOUR - 1000 - 60_000);
      expect(held).toBeLessThanOrEqual(HOUR - 1000);
      expect(await redis.client.get(lock)).toBe(String(process.pid));

      // The shortest lock there is (a second), and Redis's own clock to expire it.
      await redis.client.del(lock);
      const short = scheduler.tick(1000);
      await waitFor(() => Promise.resolve(purge.runs === 2), 5000, 'second run under way');
      purge.release();
      await short;
      expect(await redis.client.pttl(lock)).toBeLessThanOrEqual(1000);
      await waitFor(async () => (await redis.client.exists(lock)) === 0, 10_000, 'lock expired');
      const next = scheduler.tick(1000);
      await waitFor(() => Promise.resolve(purge.runs === 3), 5000, 'run after the lock expired');
      purge.release();
      await next;
    });

    it('runs anyway while Redis refuses the lock: the deletes are idempotent', async () => {
      const purge = new HeldPurge();
      const m = await open(purge, deployment());
      jest
        .spyOn(m.get(RedisService).client, 'set')
        .mockRejectedValue(new Error('Connection is closed.'));
      const tick = m.get(TokenCleanupScheduler).tick(HOUR);
      await waitFor(() => Promise.resolve(purge.runs === 1), 5000, 'run under way');
      purge.release();
      await tick;
    });
  });
});
