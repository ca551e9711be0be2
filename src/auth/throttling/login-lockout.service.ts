import { Injectable, Logger } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import type { ThrottleConfig } from '../../config';
import { RedisService } from '../../redis/redis.service';
import { normalizeEmail } from '../../users/users.service';

interface Failures {
  count: number;
  lockedUntil: number;
}

/** Failures are forgotten this long after the last one. */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

/**
 * Locks an account after LOCKOUT_THRESHOLD failed logins in a row, for LOCKOUT_BASE_DELAY, then
 * twice as long after each further failure, up to LOCKOUT_MAX_DELAY; a success resets it. Emails
 * with no account are tracked alike, so a lockout tells nothing about whether an account exists.
 * Kept in Redis when configured (shared by every instance), else in memory.
 */
@Injectable()
export class LoginLockoutService {
  private readonly logger = new Logger(LoginLockoutService.name);
  private readonly config: ThrottleConfig;
  private readonly local = new LRUCache<string, Failures>({ max: 100_000, ttl: FAILURE_MEMORY_MS });

  constructor(
    private readonly redis: RedisService,
    config: GatehouseConfig,
  ) {
    this.config = config.get('throttle', { infer: true });
  }

  /** Throws 429 with Retry-After while the account is locked. Runs before any password check. */
  async assertNotLocked(email: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const { lockedUntil } = await this.read(this.key(email));
    if (lockedUntil > now) {
      const retryAfter = Math.ceil((lockedUntil - now) / 1000);
      throw new DomainError(
        ErrorCode.TooManyRequests,
        'Too many failed logins for this account; try again later',
        undefined,
        'account locked',
        retryAfter,
      );
    }
  }

  async recordFailure(email: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(email);
    const failures = await this.read(key);
    const count = failures.count + 1;
    const over = count - this.config.lockoutThreshold;
    const lockMs =
      over >= 0
        ? Math.min(this.config.lockoutMaxSeconds, this.config.lockoutBaseSeconds * 2 ** over) * 1000
        : 0;
    await this.write(key, { count, lockedUntil: lockMs > 0 ? now + lockMs : 0 });
    if (lockMs > 0) this.logger.warn(`login locked for ${lockMs / 1000}s after ${count} failures`);
  }

  async recordSuccess(email: string): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(email);
    this.local.delete(key);
    if (this.redis.enabled) await this.redis.client.del(this.redis.key(key)).catch(() => undefined);
  }

  /** Hashed, so Redis and memory never hold the email itself. */
  private key(email: string): string {
    return `lockout:${createHash('sha256').update(normalizeEmail(email)).digest('base64url')}`;
  }

  private async read(key: string): Promise<Failures> {
    if (this.redis.enabled) {
      try {
        const raw = await this.redis.client.get(this.redis.key(key));
        return raw ? (JSON.parse(raw) as Failures) : { count: 0, lockedUntil: 0 };
      } catch {
        // Redis down: this instance's own memory is the best left.
      }
    }
    return this.local.get(key) ?? { count: 0, lockedUntil: 0 };
  }

  private async write(key: string, failures: Failures): Promise<void> {
    this.local.set(key, failures);
    if (!this.redis.enabled) return;
    await this.redis.client
      .set(this.redis.key(key), JSON.stringify(failures), 'PX', FAILURE_MEMORY_MS)
      .catch(() => undefined);
  }
}
