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
  const locked = { code: ErrorCode.TooManyRequests };

  it('counts each attempt as it begins, and locks from the threshold-th on', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin('ada@example.com', now);
    await expect(service.begin('ada@example.com', now + 29_000)).rejects.toMatchObject({ ...locked, retryAfterSeconds: 1 });
    // The lock doubles with each further failure once it has passed, up to the maximum.
    await service.begin('ada@example.com', now + 30_000);
    await expect(service.begin('ada@example.com', now + 89_000)).rejects.toMatchObject(locked);
    await service.begin('ada@example.com', now + 90_000);
    await expect(service.begin('ada@example.com', now + 90_000 + 119_000)).rejects.toMatchObject(locked);
  });

  it('clears on a success, and takes back an attempt that checked no secret', async () => {
    const service = lockout();
    await service.begin('ada@example.com', now);
    await service.begin('ada@example.com', now);
    await service.recordSuccess('ada@example.com');
    await service.begin('ada@example.com', now);
    await service.begin('ada@example.com', now);
    await service.begin('ada@example.com', now);
    await expect(service.begin('ada@example.com', now)).rejects.toMatchObject(locked);
    // The third was refused for another reason after all: below the threshold again.
    await service.release('ada@example.com');
    await service.begin('ada@example.com', now);
  });

  it('keeps accounts apart, whatever the case of the address', async () => {
    const service = lockout();
    for (let i = 0; i < 3; i++) await service.begin('Ada@Example.com', now);
    await expect(service.begin('ada@example.com', now)).rejects.toMatchObject(locked);
    await service.begin('grace@example.com', now);
  });
});
