import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { databaseKinds } from '../../test/support/databases';
import { loadThrottleConfig } from '../config/throttle.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import { ErrorCode } from '../common/errors/domain-error';
import type { RedisService } from '../redis/redis.service';
import { LoginLockoutService } from './login-lockout.service';

// The same rules in memory and in Redis (its script mirrors the in-memory step line for line).
// Redis is there whenever MySQL is (databaseKinds: REQUIRE_SERVICES=1 asks for both).
const stores =
  databaseKinds().includes('mysql') && process.env.TEST_REDIS_URL
    ? ['memory', 'redis']
    : ['memory'];

describe.each(stores)('LoginLockoutService (%s)', (store) => {
  const config = GatehouseConfig.of({
    throttle: loadThrottleConfig({
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_BASE_DELAY: '30s',
      LOCKOUT_MAX_DELAY: '2m',
    }),
  } as never);
  let client: Redis | undefined;
  const prefix = `spec-lockout-${randomBytes(4).toString('hex')}:`;
  const redis = () =>
    store === 'redis'
      ? ({
          enabled: true,
          client,
          key: (...parts: string[]) => prefix + parts.join(':'),
        } as unknown as RedisService)
      : ({ enabled: false } as RedisService);
  beforeAll(() => {
    if (store === 'redis')
      client = new Redis(process.env.TEST_REDIS_URL as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });
  // A fresh service and fresh subjects per test: the Redis store outlives a service.
  let run = 0;
  const lockout = () => {
    run += 1;
    return new LoginLockoutService(redis(), config);
  };
  const subject = (name: string) => `${name}-${run}@example.com`;
  const now = 1_000_000_000_000;
  const refused = (retryAfterSeconds: number) => ({
    code: ErrorCode.TooManyRequests,
    retryAfterSeconds,
  });
  const failed = async (service: LoginLockoutService, at: number) => {
    await service.begin(subject('ada'), at);
    await service.fail(subject('ada'), at);
  };

  it('locks after the threshold of failures, for a delay that doubles up to the maximum', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await failed(service, now);
    await expect(service.begin(subject('ada'), now + 29_000)).rejects.toMatchObject(refused(1));
    await expect(service.begin(subject('ada'), now + 10_000)).rejects.toMatchObject(refused(20));
    await failed(service, now + 30_000);
    await expect(service.begin(subject('ada'), now + 30_000 + 59_000)).rejects.toMatchObject(
      refused(1),
    );
    await failed(service, now + 90_000);
    await failed(service, now + 90_000 + 120_000);
    // Capped at the maximum.
    await expect(service.begin(subject('ada'), now + 210_000 + 119_000)).rejects.toMatchObject(
      refused(1),
    );
    await service.begin(subject('ada'), now + 210_000 + 120_000);
  });

  it('never lets more attempts be under way than the threshold allows, however many arrive at once', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin(subject('ada'), now);
    // Not a lock: the next may try again in a second.
    await expect(service.begin(subject('ada'), now)).rejects.toMatchObject(refused(1));
    await service.fail(subject('ada'), now);
    await expect(service.begin(subject('ada'), now)).rejects.toMatchObject(refused(1));
    // One checked no secret after all: its place is free again.
    await service.release(subject('ada'), now);
    await service.begin(subject('ada'), now);
    // A success clears everything, those under way included.
    await service.recordSuccess(subject('ada'));
    for (let i = 0; i < 3; i++) await service.begin(subject('ada'), now);
  });

  it('check: takes back an attempt whose check throws, or counts it when the error is a wrong secret', async () => {
    // check settles at the real time: so does this test.
    const at = Date.now();
    const service = lockout();
    const wrong = new Error('wrong code');
    for (let i = 0; i < 3; i++) {
      await service.begin(subject('ada'), at);
      await expect(
        service.check(subject('ada'), () => Promise.reject(new Error('database down'))),
      ).rejects.toThrow('database down');
    }
    // All three taken back: nothing counted.
    for (let i = 0; i < 3; i++) {
      await service.begin(subject('ada'), at);
      await expect(
        service.check(
          subject('ada'),
          () => Promise.reject(wrong),
          (e) => e === wrong,
        ),
      ).rejects.toBe(wrong);
    }
    // Three failures: locked for the base delay, not merely busy.
    const locked = await service
      .begin(subject('ada'), at)
      .catch((error: { retryAfterSeconds?: number }) => error);
    expect(locked).toMatchObject({ code: ErrorCode.TooManyRequests });
    expect((locked as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(30);
    await expect(service.check(subject('grace'), () => Promise.resolve(42))).resolves.toBe(42);
  });

  it('forgets attempts left under way by a process that died', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin(subject('ada'), now);
    await expect(service.begin(subject('ada'), now + 30_000)).rejects.toMatchObject(refused(1));
    await service.begin(subject('ada'), now + 30_001);
  });

  it('keeps accounts apart, whatever the case of the address', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin(subject('ada').toUpperCase(), now);
    await expect(service.begin(subject('ada'), now)).rejects.toMatchObject(refused(1));
    await service.begin(subject('grace'), now);
  });

  it('reads a record of 0.1 ({ count, lockedUntil }) as its failures', async () => {
    if (store !== 'redis' || !client) return;
    const service = lockout();
    const key = prefix + (service as unknown as { key(s: string): string }).key(subject('old'));
    await client.set(key, JSON.stringify({ count: 3, lockedUntil: now + 30_000 }));
    await expect(service.begin(subject('old'), now + 1_000)).rejects.toMatchObject(refused(29));
    await service.begin(subject('old'), now + 30_000);
  });
});
