import { ConfigService } from '@nestjs/config';
import { loadTokensConfig } from '../../config/tokens.config';
import { TokenType } from '../entities/token.entity';
import { TokenState } from '../token-state';
import { TokenStateCache } from './token-state.cache';

const cacheWith = (env: Record<string, string> = {}) =>
  new TokenStateCache({ get: () => loadTokensConfig(env) } as unknown as ConfigService as never);

const state = (jti: string, expiresInMs = 3_600_000): TokenState => ({
  jti,
  type: TokenType.Access,
  userId: 'u',
  familyId: 'f',
  expiresAt: Date.now() + expiresInMs,
  revoked: false,
  userDisabled: false,
});

describe('TokenStateCache', () => {
  it('returns what was set in the same generation', () => {
    const cache = cacheWith();
    cache.set(state('a'), cache.begin());
    expect(cache.get('a')?.jti).toBe('a');
  });

  it('drops a fill that started before an invalidation', () => {
    const cache = cacheWith();
    const started = cache.begin();
    cache.invalidate(['other']);
    cache.set(state('a'), started);
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets invalidated entries', () => {
    const cache = cacheWith();
    cache.set(state('a'), cache.begin());
    cache.invalidate(['a']);
    expect(cache.get('a')).toBeUndefined();
  });

  describe('on a fake clock', () => {
    // Both clocks an entry's life is measured on: the token's expiry (Date) and the TTL (lru-cache
    // reads performance.now()).
    beforeEach(() => {
      jest.useFakeTimers();
      // The fake performance.now() starts at 0, which lru-cache reads as "no start time".
      jest.advanceTimersByTime(1000);
    });
    afterEach(() => jest.useRealTimers());

    it('keeps an entry no longer than the token lives', () => {
      const cache = cacheWith();
      cache.set(state('a', 30_000), cache.begin());
      jest.advanceTimersByTime(29_999);
      expect(cache.get('a')).toBeDefined();
      jest.advanceTimersByTime(2);
      expect(cache.get('a')).toBeUndefined();
    });

    it('keeps an entry no longer than the configured TTL', () => {
      const cache = cacheWith({ REVOCATION_CACHE_TTL: '1s' });
      cache.set(state('a'), cache.begin());
      jest.advanceTimersByTime(999);
      expect(cache.get('a')).toBeDefined();
      jest.advanceTimersByTime(2);
      expect(cache.get('a')).toBeUndefined();
    });
  });

  it('is bounded', () => {
    const cache = cacheWith({ REVOCATION_CACHE_SIZE: '3' });
    for (const jti of ['a', 'b', 'c', 'd']) cache.set(state(jti), cache.begin());
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
  });

  it('serves nothing while distrusted, and starts empty when trusted again', () => {
    const cache = cacheWith();
    cache.set(state('a'), cache.begin());
    const epoch = cache.epoch;
    cache.distrust();
    expect(cache.get('a')).toBeUndefined();
    cache.set(state('b'), cache.begin());
    expect(cache.trustUntil(TokenStateCache.clock() + 1000, cache.epoch)).toBe(true);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(epoch).not.toBe(cache.epoch);
  });

  it('keeps its entries while suspended, and serves them again once trusted', () => {
    const cache = cacheWith();
    cache.set(state('a'), cache.begin());
    cache.suspend();
    expect(cache.isTrusted()).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    cache.set(state('b'), cache.begin());
    cache.trustUntil(TokenStateCache.clock() + 1000, cache.epoch);
    expect(cache.get('a')?.jti).toBe('a');
    expect(cache.get('b')).toBeUndefined();
  });

  it('stops serving when its trust runs out, on the monotonic clock', () => {
    const cache = cacheWith();
    const clock = jest.spyOn(TokenStateCache, 'clock').mockReturnValue(1_000);
    try {
      cache.trustUntil(2_000, cache.epoch);
      cache.set(state('a'), cache.begin());
      clock.mockReturnValue(1_999);
      expect(cache.get('a')?.jti).toBe('a');
      clock.mockReturnValue(2_000);
      expect(cache.get('a')).toBeUndefined();
      expect(cache.isTrusted()).toBe(false);
    } finally {
      clock.mockRestore();
    }
  });

  it('refuses trust from a sync that began before trust was withdrawn', () => {
    const cache = cacheWith();
    const begun = cache.epoch;
    cache.suspend();
    expect(cache.trustUntil(TokenStateCache.clock() + 1000, begun)).toBe(false);
    expect(cache.isTrusted()).toBe(false);
  });

  it('is off when the TTL is 0', () => {
    const cache = cacheWith({ REVOCATION_CACHE_TTL: '0' });
    cache.set(state('a'), cache.begin());
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });
});
