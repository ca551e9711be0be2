import { Injectable, Logger } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import type { ThrottleConfig } from '../../config/throttle.config';
import { RedisService } from '../../redis/redis.service';
import { normalizeEmail } from '../../users/users.service';

interface Failures {
  count: number;
  lockedUntil: number;
}

/** Failures are forgotten this long after the last one. */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

/**
 * Locks a subject after LOCKOUT_THRESHOLD failures in a row, for LOCKOUT_BASE_DELAY, then twice
 * as long after each further failure, up to LOCKOUT_MAX_DELAY; a success resets it. Kept in
 * Redis when configured (shared by every instance), else in memory.
 */
abstract class AttemptLockout {
  protected abstract readonly logger: Logger;
  private readonly config: ThrottleConfig;
  private readonly local = new LRUCache<string, Failures>({ max: 100_000, ttl: FAILURE_MEMORY_MS });

  constructor(
    private readonly redis: RedisService,
    config: GatehouseConfig,
    private readonly what: string,
  ) {
    this.config = config.get('throttle', { infer: true });
  }

  /** Where a subject's failures are kept. */
  protected abstract key(subject: string): string;

  /** Throws 429 with Retry-After while the subject is locked. Runs before any secret is checked. */
  async assertNotLocked(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const { lockedUntil } = await this.read(this.key(subject));
    if (lockedUntil > now) {
      const retryAfter = Math.ceil((lockedUntil - now) / 1000);
      throw new DomainError(
        ErrorCode.TooManyRequests,
        `Too many failed ${this.what} for this account; try again later`,
        undefined,
        'account locked',
        retryAfter,
      );
    }
  }

  async recordFailure(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    const failures = await this.read(key);
    const count = failures.count + 1;
    const over = count - this.config.lockoutThreshold;
    const lockMs =
      over >= 0
        ? Math.min(this.config.lockoutMaxSeconds, this.config.lockoutBaseSeconds * 2 ** over) * 1000
        : 0;
    await this.write(key, { count, lockedUntil: lockMs > 0 ? now + lockMs : 0 });
    if (lockMs > 0) this.logger.warn(`locked for ${lockMs / 1000}s after ${count} failures`);
  }

  async recordSuccess(subject: string): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    this.local.delete(key);
    if (this.redis.enabled) await this.redis.client.del(this.redis.key(key)).catch(() => undefined);
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

/**
 * Failed logins per email. Emails with no account are tracked alike, so a lockout tells nothing
 * about whether an account exists.
 */
@Injectable()
export class LoginLockoutService extends AttemptLockout {
  protected readonly logger = new Logger(LoginLockoutService.name);

  constructor(redis: RedisService, config: GatehouseConfig) {
    super(redis, config, 'logins');
  }

  /** Hashed, so Redis and memory never hold the email itself. */
  protected key(email: string): string {
    return `lockout:${createHash('sha256').update(normalizeEmail(email)).digest('base64url')}`;
  }
}

/**
 * Wrong two-factor codes per user: a six-digit code is guessed in a million tries, so after a
 * few failures each further guess costs an exponentially growing wait.
 */
@Injectable()
export class TwoFactorLockoutService extends AttemptLockout {
  protected readonly logger = new Logger(TwoFactorLockoutService.name);

  constructor(redis: RedisService, config: GatehouseConfig) {
    super(redis, config, 'two-factor codes');
  }

  protected key(userId: string): string {
    return `mfa-lockout:${userId}`;
  }
}
