import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { RedisService } from '../../redis/redis.service';
import { TokenState } from '../token-state';

/**
 * Access-token states shared through Redis, so a fresh instance (or an in-process cache miss)
 * rarely needs the database. Every failure reads as a miss: the caller then asks the database.
 * Read only while RevocationBus trusts the caches: a "live" written before an outage is never
 * believed after it until the revocations made meanwhile have overwritten it.
 *
 * - Revocations overwrite (`SET`), and their markers live until the token expires.
 * - Fills never overwrite (`SET NX`), so a fill that raced with a revocation cannot undo it, and
 *   live states live no longer than the in-process cache TTL.
 */
@Injectable()
export class SharedTokenStateStore {
  private readonly liveTtlMs: number;

  constructor(
    private readonly redis: RedisService,
    config: GatehouseConfig,
  ) {
    this.liveTtlMs = config.get('tokens', { infer: true }).cacheTtlSeconds * 1000;
  }

  get enabled(): boolean {
    return this.redis.enabled && this.liveTtlMs > 0;
  }

  async get(jti: string): Promise<TokenState | undefined> {
    if (!this.enabled) return undefined;
    try {
      const raw = await this.redis.client.get(this.redis.key('tok', jti));
      return raw ? (JSON.parse(raw) as TokenState) : undefined;
    } catch {
      return undefined;
    }
  }

  fill(state: TokenState, now = Date.now()): void {
    if (!this.enabled) return;
    const ttl = Math.min(this.liveTtlMs, state.expiresAt - now);
    if (ttl <= 0) return;
    this.redis.client
      .set(this.redis.key('tok', state.jti), JSON.stringify(state), 'PX', ttl, 'NX')
      .catch(() => undefined);
  }

  /**
   * Writes revoked markers; resolves false when Redis could not take them (RevocationBus reports
   * it, and retries from the outbox).
   */
  async markRevoked(states: TokenState[], now = Date.now()): Promise<boolean> {
    if (!this.enabled) return true;
    const pipeline = this.redis.client.pipeline();
    for (const state of states) {
      const ttl = state.expiresAt - now;
      if (ttl > 0) {
        pipeline.set(
          this.redis.key('tok', state.jti),
          JSON.stringify({ ...state, revoked: true }),
          'PX',
          ttl,
        );
      }
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      return results.every(([error]) => !error);
    } catch {
      return false;
    }
  }
}
