import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { TokenState } from '../token-state';

/**
 * The in-process cache of token states, in front of Redis and the database.
 *
 * - Bounded (REVOCATION_CACHE_SIZE entries, least recently used out first).
 * - An entry lives REVOCATION_CACHE_TTL at most, and never past the token's own expiry.
 * - Revocations remove entries at once (locally, and on every instance through RevocationBus).
 * - A fill that raced with a revocation is dropped: each fill carries the generation it started
 *   in, and every invalidation starts a new one.
 * - When revocations from other instances cannot be heard (Redis subscription down), the cache is
 *   emptied and bypassed until they can: it never serves a state it might have missed news of.
 */
@Injectable()
export class TokenStateCache {
  private readonly ttlMs: number;
  private readonly entries?: LRUCache<string, TokenState>;
  private generation = 0;
  private trusted = true;

  constructor(config: GatehouseConfig) {
    const { cacheTtlSeconds, cacheMaxEntries } = config.get('tokens', { infer: true });
    this.ttlMs = cacheTtlSeconds * 1000;
    if (this.ttlMs > 0 && cacheMaxEntries > 0) {
      this.entries = new LRUCache({ max: cacheMaxEntries, ttlAutopurge: false });
    }
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(jti: string): TokenState | undefined {
    return this.trusted ? this.entries?.get(jti) : undefined;
  }

  /** Call before reading the state elsewhere; hand the result to {@link set}. */
  begin(): number {
    return this.generation;
  }

  set(state: TokenState, startedAt: number, now = Date.now()): void {
    if (!this.entries || !this.trusted || startedAt !== this.generation) return;
    const ttl = Math.min(this.ttlMs, state.expiresAt - now);
    if (ttl > 0) this.entries.set(state.jti, state, { ttl });
  }

  invalidate(jtis: Iterable<string>): void {
    this.generation++;
    if (!this.entries) return;
    for (const jti of jtis) this.entries.delete(jti);
  }

  /** Stop trusting (and drop) everything, or trust again from an empty cache. */
  setTrusted(trusted: boolean): void {
    this.generation++;
    this.entries?.clear();
    this.trusted = trusted;
  }

  get isTrusted(): boolean {
    return this.trusted;
  }
}
