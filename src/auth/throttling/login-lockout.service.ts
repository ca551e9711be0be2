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
 * One step, atomic in Redis: refuse while locked, else count the attempt and, from the threshold
 * on, lock (pessimistically: a success clears it). KEYS[1] the state; ARGV now, threshold, base
 * and max lock (ms), memory (ms). Returns { locked until, count } after the step; locked until
 * is negative when the attempt was refused.
 */
const BEGIN = `
local raw = redis.call('GET', KEYS[1])
local count, locked = 0, 0
if raw then
  local state = cjson.decode(raw)
  count, locked = state.count, state.lockedUntil
end
local now = tonumber(ARGV[1])
if locked > now then return { -locked, count } end
count = count + 1
local over = count - tonumber(ARGV[2])
if over >= 0 then
  locked = now + math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ over)
else
  locked = 0
end
redis.call('SET', KEYS[1], cjson.encode({ count = count, lockedUntil = locked }), 'PX', ARGV[5])
return { locked, count }
`;

/** Takes back one attempt that turned out to check no secret; unlocks below the threshold. */
const RELEASE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local state = cjson.decode(raw)
local count = math.max(state.count - 1, 0)
local locked = state.lockedUntil
if count < tonumber(ARGV[1]) then locked = 0 end
redis.call('SET', KEYS[1], cjson.encode({ count = count, lockedUntil = locked }), 'KEEPTTL')
return count
`;

/**
 * Locks a subject after LOCKOUT_THRESHOLD failed attempts in a row, for LOCKOUT_BASE_DELAY, then
 * twice as long after each further failure, up to LOCKOUT_MAX_DELAY; a success resets it. Kept in
 * Redis when configured (shared by every instance), else in memory.
 *
 * An attempt is counted when it begins, before its secret is checked, in one atomic step (a
 * Redis script, or one synchronous step in memory): parallel guesses cannot all pass a check of
 * the count made before any of them failed, so no more than the threshold are ever checked in a
 * row. A success clears the count; an attempt that checked no secret after all (the request was
 * refused for another reason) is released.
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

  /**
   * Counts an attempt at the subject's secret, before it is checked. Throws 429 with Retry-After
   * while the subject is locked (the attempt is then not counted).
   */
  async begin(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    const { lockedUntil, count, refused } = await this.step(key, now);
    if (refused) {
      throw new DomainError(
        ErrorCode.TooManyRequests,
        `Too many failed ${this.what} for this account; try again later`,
        undefined,
        'account locked',
        Math.max(1, Math.ceil((lockedUntil - now) / 1000)),
      );
    }
    if (lockedUntil > now && count === this.config.lockoutThreshold) {
      this.logger.warn(`locked after ${count} attempts in a row`);
    }
  }

  /** The attempt begun last checked no secret after all (refused for another reason). */
  async release(subject: string): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    const threshold = this.config.lockoutThreshold;
    const local = this.local.get(key);
    if (local) {
      const count = Math.max(local.count - 1, 0);
      this.local.set(key, { count, lockedUntil: count < threshold ? 0 : local.lockedUntil });
    }
    if (this.redis.enabled) {
      await this.redis.client.eval(RELEASE, 1, this.redis.key(key), threshold).catch(() => undefined);
    }
  }

  async recordSuccess(subject: string): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    this.local.delete(key);
    if (this.redis.enabled) await this.redis.client.del(this.redis.key(key)).catch(() => undefined);
  }

  private async step(key: string, now: number): Promise<Failures & { refused: boolean }> {
    const { lockoutThreshold, lockoutBaseSeconds, lockoutMaxSeconds } = this.config;
    if (this.redis.enabled) {
      try {
        const [locked, count] = (await this.redis.client.eval(
          BEGIN,
          1,
          this.redis.key(key),
          now,
          lockoutThreshold,
          lockoutBaseSeconds * 1000,
          lockoutMaxSeconds * 1000,
          FAILURE_MEMORY_MS,
        )) as [number, number];
        const state = { count, lockedUntil: Math.abs(locked) };
        this.local.set(key, state);
        return { ...state, refused: locked < 0 };
      } catch {
        // Redis down: this instance's own memory is the best left.
      }
    }
    // The same step in memory: no await between reading and writing, so it is atomic here.
    const state = this.local.get(key) ?? { count: 0, lockedUntil: 0 };
    if (state.lockedUntil > now) return { ...state, refused: true };
    const count = state.count + 1;
    const over = count - lockoutThreshold;
    const lockedUntil = over >= 0 ? now + Math.min(lockoutMaxSeconds, lockoutBaseSeconds * 2 ** over) * 1000 : 0;
    this.local.set(key, { count, lockedUntil });
    return { count, lockedUntil, refused: false };
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
