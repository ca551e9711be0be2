import { Injectable, Logger } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { ThrottleConfig } from '../config/throttle.config';
import { RedisService } from '../redis/redis.service';
import { normalizeEmail } from './users.service';

/** A subject's attempts: failed in a row, under way, and the lock they earned. */
interface Attempts {
  failures: number;
  inFlight: number;
  /** When the last attempt began: attempts under way longer than IN_FLIGHT_MS are forgotten. */
  lastBegin: number;
  lockedUntil: number;
}

type Step = 'begin' | 'fail' | 'release';

/** Failures are forgotten this long after the last one. */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;
/**
 * No check of a secret takes this long (bcrypt, and each database wait, are bounded far below):
 * attempts counted as under way for longer belonged to a process that died, and no longer count.
 */
const IN_FLIGHT_MS = 30_000;

const EMPTY: Attempts = { failures: 0, inFlight: 0, lastBegin: 0, lockedUntil: 0 };

/**
 * The one transition of a subject's attempts, run atomically: by the script below in Redis, as
 * one synchronous call in memory. `begin` is refused (the state comes back unchanged, `refused`
 * set) while locked, or while failures and attempts under way together reach the threshold (one
 * at a time once a lock has passed), so no more than the threshold are ever checked in a row,
 * however many arrive at once.
 */
function transition(
  state: Attempts,
  step: Step,
  now: number,
  limits: { threshold: number; baseMs: number; maxMs: number },
): { state: Attempts; refused: boolean } {
  const inFlight = now - state.lastBegin > IN_FLIGHT_MS ? 0 : state.inFlight;
  if (step === 'begin') {
    // Below the threshold, as many under way as failures are still allowed; once a lock has
    // passed, one at a time (each failure locks again, for longer).
    const room = Math.max(limits.threshold - state.failures, 1);
    if (state.lockedUntil > now || inFlight >= room) return { state, refused: true };
    return { state: { ...state, inFlight: inFlight + 1, lastBegin: now }, refused: false };
  }
  const settled = { ...state, inFlight: Math.max(inFlight - 1, 0) };
  if (step === 'release') return { state: settled, refused: false };
  const failures = state.failures + 1;
  const over = failures - limits.threshold;
  const lockedUntil = over >= 0 ? now + Math.min(limits.maxMs, limits.baseMs * 2 ** over) : 0;
  return { state: { ...settled, failures, lockedUntil }, refused: false };
}

/** {@link transition}, line for line, for Redis. ARGV: step, now, threshold, base ms, max ms, in-flight ms, memory ms. */
const TRANSITION = `
local s = { failures = 0, inFlight = 0, lastBegin = 0, lockedUntil = 0 }
local raw = redis.call('GET', KEYS[1])
if raw then
  local stored = cjson.decode(raw)
  -- Records of 0.1 hold { count, lockedUntil }: their count is the failures.
  s.failures = tonumber(stored.failures or stored.count) or 0
  s.inFlight = tonumber(stored.inFlight) or 0
  s.lastBegin = tonumber(stored.lastBegin) or 0
  s.lockedUntil = tonumber(stored.lockedUntil) or 0
end
local step, now, threshold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local inFlight = s.inFlight
if now - s.lastBegin > tonumber(ARGV[6]) then inFlight = 0 end
if step == 'begin' then
  if s.lockedUntil > now or inFlight >= math.max(threshold - s.failures, 1) then
    return { 1, s.failures, s.inFlight, s.lastBegin, s.lockedUntil }
  end
  s.inFlight, s.lastBegin = inFlight + 1, now
else
  s.inFlight = math.max(inFlight - 1, 0)
  if step == 'fail' then
    s.failures = s.failures + 1
    local over = s.failures - threshold
    if over >= 0 then
      s.lockedUntil = now + math.min(tonumber(ARGV[5]), tonumber(ARGV[4]) * 2 ^ over)
    else
      s.lockedUntil = 0
    end
  end
end
redis.call('SET', KEYS[1], cjson.encode(s), 'PX', ARGV[7])
return { 0, s.failures, s.inFlight, s.lastBegin, s.lockedUntil }
`;

/**
 * Locks a subject after LOCKOUT_THRESHOLD failed attempts in a row, for LOCKOUT_BASE_DELAY, then
 * twice as long after each further failure, up to LOCKOUT_MAX_DELAY; a success resets it. Kept in
 * Redis when configured (shared by every instance), else in memory.
 *
 * An attempt is counted when it begins, before its secret is checked, in one atomic step: while
 * failures and attempts under way together reach the threshold, a new one is refused (429 with a
 * one-second Retry-After when no lock is the reason), so parallel guesses never get more checks
 * than the threshold. Each attempt then ends as a failure (`fail`), a success
 * (`recordSuccess`, which clears the count), or one that checked no secret after all (`release`).
 */
abstract class AttemptLockout {
  protected abstract readonly logger: Logger;
  private readonly config: ThrottleConfig;
  private readonly local = new LRUCache<string, Attempts>({ max: 100_000, ttl: FAILURE_MEMORY_MS });
  private redisDown = false;

  constructor(
    private readonly redis: RedisService,
    config: GatehouseConfig,
    private readonly what: string,
  ) {
    this.config = config.get('throttle', { infer: true });
  }

  /** Where a subject's attempts are kept. */
  protected abstract key(subject: string): string;

  /** Counts an attempt at the subject's secret, before it is checked; 429 when refused. */
  async begin(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const { state, refused } = await this.step(subject, 'begin', now);
    if (!refused) return;
    const waitMs = state.lockedUntil > now ? state.lockedUntil - now : 1000;
    throw new DomainError(
      ErrorCode.TooManyRequests,
      `Too many failed ${this.what} for this account; try again later`,
      undefined,
      state.lockedUntil > now ? 'account locked' : 'attempts under way',
      Math.max(1, Math.ceil(waitMs / 1000)),
    );
  }

  /** The attempt begun last failed: the secret was wrong. */
  async fail(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    const { state } = await this.step(subject, 'fail', now);
    if (state.failures >= this.config.lockoutThreshold) {
      this.logger.warn(
        `locked for ${Math.ceil((state.lockedUntil - now) / 1000)}s after ${state.failures} failures`,
      );
    }
  }

  /**
   * Runs the check of an attempt begun with {@link begin}. One that throws is taken back
   * ({@link release}: no secret was checked, the database was down, say), or counted as a failure
   * when `isWrongSecret` says the error is the secret's being wrong. Its result is the caller's to
   * settle: {@link fail} or {@link recordSuccess}.
   */
  async check<T>(
    subject: string,
    run: () => Promise<T>,
    isWrongSecret: (error: unknown) => boolean = () => false,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await (isWrongSecret(error) ? this.fail(subject) : this.release(subject));
      throw error;
    }
  }

  /** The attempt begun last checked no secret after all (refused for another reason). */
  async release(subject: string, now = Date.now()): Promise<void> {
    if (!this.config.enabled) return;
    await this.step(subject, 'release', now);
  }

  async recordSuccess(subject: string): Promise<void> {
    if (!this.config.enabled) return;
    const key = this.key(subject);
    this.local.delete(key);
    if (this.redis.enabled) await this.redis.client.del(this.redis.key(key)).catch(() => undefined);
  }

  private async step(
    subject: string,
    step: Step,
    now: number,
  ): Promise<{ state: Attempts; refused: boolean }> {
    const key = this.key(subject);
    const { lockoutThreshold: threshold, lockoutBaseSeconds, lockoutMaxSeconds } = this.config;
    const limits = {
      threshold,
      baseMs: lockoutBaseSeconds * 1000,
      maxMs: lockoutMaxSeconds * 1000,
    };
    if (this.redis.enabled) {
      try {
        const [refused, failures, inFlight, lastBegin, lockedUntil] = (await this.redis.client.eval(
          TRANSITION,
          1,
          this.redis.key(key),
          step,
          now,
          threshold,
          limits.baseMs,
          limits.maxMs,
          IN_FLIGHT_MS,
          FAILURE_MEMORY_MS,
        )) as number[];
        const state = { failures, inFlight, lastBegin, lockedUntil };
        this.redisDown = false;
        this.local.set(key, state);
        return { state, refused: refused === 1 };
      } catch (error) {
        // Redis down: this instance's own memory is the best left.
        if (!this.redisDown)
          this.logger.warn(`lockouts counted in memory: ${(error as Error).message}`);
        this.redisDown = true;
      }
    }
    const result = transition(this.local.get(key) ?? EMPTY, step, now, limits);
    this.local.set(key, result.state);
    return result;
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
