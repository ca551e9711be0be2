import { loadThrottleConfig } from '../../config/throttle.config';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { ErrorCode } from '../../common/errors/domain-error';
import type { RedisService } from '../../redis/redis.service';
import { LoginLockoutService } from './login-lockout.service';

describe('LoginLockoutService (in memory)', () => {
  const config = GatehouseConfig.of({
    throttle: loadThrottleConfig({ LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_DELAY: '30s', LOCKOUT_MAX_DELAY: '2m' }),
  } as never);
  const lockout = () => new LoginLockoutService({ enabled: false } as RedisService, config);
  const now = 1_000_000_000_000;
  const refused = (retryAfterSeconds: number) => ({ code: ErrorCode.TooManyRequests, retryAfterSeconds });
  const failed = async (service: LoginLockoutService, at: number) => {
    await service.begin('ada@example.com', at);
    await service.fail('ada@example.com', at);
  };

  it('locks after the threshold of failures, for a delay that doubles up to the maximum', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await failed(service, now);
    await expect(service.begin('ada@example.com', now + 29_000)).rejects.toMatchObject(refused(1));
    await expect(service.begin('ada@example.com', now + 10_000)).rejects.toMatchObject(refused(20));
    await failed(service, now + 30_000);
    await expect(service.begin('ada@example.com', now + 30_000 + 59_000)).rejects.toMatchObject(refused(1));
    await failed(service, now + 90_000);
    await failed(service, now + 90_000 + 120_000);
    // Capped at the maximum.
    await expect(service.begin('ada@example.com', now + 210_000 + 119_000)).rejects.toMatchObject(refused(1));
    await service.begin('ada@example.com', now + 210_000 + 120_000);
  });

  it('never lets more attempts be under way than the threshold allows, however many arrive at once', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin('ada@example.com', now);
    // Not a lock: the next may try again in a second.
    await expect(service.begin('ada@example.com', now)).rejects.toMatchObject(refused(1));
    await service.fail('ada@example.com', now);
    await expect(service.begin('ada@example.com', now)).rejects.toMatchObject(refused(1));
    // One checked no secret after all: its place is free again.
    await service.release('ada@example.com', now);
    await service.begin('ada@example.com', now);
    // A success clears everything, those under way included.
    await service.recordSuccess('ada@example.com');
    for (let i = 0; i < 3; i++) await service.begin('ada@example.com', now);
  });

  it('forgets attempts left under way by a process that died', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin('ada@example.com', now);
    await expect(service.begin('ada@example.com', now + 30_000)).rejects.toMatchObject(refused(1));
    await service.begin('ada@example.com', now + 30_001);
  });

  it('keeps accounts apart, whatever the case of the address', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin('Ada@Example.com', now);
    await expect(service.begin('ada@example.com', now)).rejects.toMatchObject(refused(1));
    await service.begin('grace@example.com', now);
  });
});
