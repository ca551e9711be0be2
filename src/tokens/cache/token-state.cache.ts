import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { TokenState } from '../token-state';

/**
 * The in-process cache of access-token states, in front of Redis and the database.
 *
 * - Bounded (REVOCATION_CACHE_SIZE entries, least recently used out first).
 * - An entry lives REVOCATION_CACHE_TTL at most, and never past the token's own expiry.
 * - Revocations remove entries at once (locally, and on every instance through RevocationBus).
 * - A fill that raced with a revocation is dropped: each fill carries the generation it started
 *   in, and every invalidation starts a new one.
 * - Trust is granted for a time (RevocationBus, with Redis: until shortly after its last sync)
 *   and can be withdrawn at once. While not trusted, neither this cache nor the shared one in
 *   Redis is read, and nothing is stored: every check goes to the database.
 */
/** Told what the cache learns: tokens revoked, and trust regained after news may have been missed. */
export interface TokenStateListener {
  /** These tokens changed (a revocation, here or on another instance). */
  invalidated?(jtis: readonly string[]): void;
  /** Cached states are served again after a time they were not: revocations may have been missed. */
  trusted?(): void;
}

@Injectable()
export class TokenStateCache {
  private readonly listeners = new Set<TokenStateListener>();
  private readonly ttlMs: number;
  private readonly entries?: LRUCache<string, TokenState>;
  private generation = 0;
  /**
   * Until when states may be served, on the monotonic clock ({@link clock}: a wall clock stepped
   * back must not stretch trust); Infinity until someone says otherwise.
   */
  private trustedUntil = Number.POSITIVE_INFINITY;
  private trustEpoch = 0;

  constructor(config: GatehouseConfig) {
    const { cacheTtlSeconds, cacheMaxEntries } = config.get('tokens', { infer: true });
    this.ttlMs = cacheTtlSeconds * 1000;
    if (this.ttlMs > 0 && cacheMaxEntries > 0) {
      this.entries = new LRUCache({
        max: cacheMaxEntries,
        ttlAutopurge: false,
        // Entries age on the clock trust is measured on, so a test can move both at once.
        perf: { now: () => TokenStateCache.clock() },
      });
    }
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The clock trust is measured on: milliseconds, monotonic. */
  static clock(): number {
    return performance.now();
  }

  get(jti: string): TokenState | undefined {
    return this.isTrusted() ? this.entries?.get(jti) : undefined;
  }

  /** Call before reading the state elsewhere; hand the result to {@link set}. */
  begin(): number {
    return this.generation;
  }

  set(state: TokenState, startedAt: number, now = Date.now()): void {
    if (!this.entries || !this.isTrusted() || startedAt !== this.generation) return;
    const ttl = Math.min(this.ttlMs, state.expiresAt - now);
    if (ttl > 0) this.entries.set(state.jti, state, { ttl });
  }

  invalidate(jtis: Iterable<string>): void {
    this.generation++;
    const list = this.listeners.size > 0 ? [...jtis] : jtis;
    if (this.entries) for (const jti of list) this.entries.delete(jti);
    if (this.listeners.size > 0) this.tell((l) => l.invalidated?.(list as string[]));
  }

  /** Adds a listener (see {@link TokenStateListener}); returns what removes it. */
  listen(listener: TokenStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(call: (listener: TokenStateListener) => void): void {
    for (const listener of this.listeners) call(listener);
  }

  /** Whether cached states (here, or shared in Redis) may be served at this instant. */
  isTrusted(): boolean {
    return (
      this.trustedUntil === Number.POSITIVE_INFINITY || TokenStateCache.clock() < this.trustedUntil
    );
  }

  /** Changes at every {@link suspend} and {@link distrust}: read it before a sync, hand it to {@link trustUntil}. */
  get epoch(): number {
    return this.trustEpoch;
  }

  /**
   * Trusts cached states until `until` (on {@link clock}), unless trust was withdrawn since
   * `epoch` was read: a sync that began before the withdrawal cannot vouch for what came after.
   */
  trustUntil(until: number, epoch: number): boolean {
    if (epoch !== this.trustEpoch) return false;
    const regained = !this.isTrusted();
    this.trustedUntil = until;
    if (regained && this.isTrusted()) this.tell((l) => l.trusted?.());
    return true;
  }

  /** Stops serving cached states, but keeps them: nothing that reaches them was missed. */
  suspend(): void {
    this.trustEpoch++;
    this.generation++;
    this.trustedUntil = 0;
  }

  /** Stops serving and drops every entry: news of revocations may have been missed. */
  distrust(): void {
    this.suspend();
    this.entries?.clear();
  }
}
