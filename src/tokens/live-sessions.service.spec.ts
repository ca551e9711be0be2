import { Logger } from '@nestjs/common';
import { ErrorCode } from '../common/errors/domain-error';
import type { GatehouseConfig } from '../config/gatehouse-config';
import { TokenStateCache } from './cache/token-state.cache';
import { TokenType } from './entities/token.entity';
import { LiveSessions } from './live-sessions.service';
import type { RevocationCheckService } from './revocation-check.service';
import type { TokenClaims } from './token-claims';
import type { TokenSigner } from './token-signer';
import type { VerifiedAccessTokensService } from './verified-access-tokens.service';

const config = {
  get: (key: string) =>
    ({
      tokens: { cacheTtlSeconds: 60, cacheMaxEntries: 100 },
      auth: { clockToleranceSeconds: 0 },
    })[key],
} as unknown as GatehouseConfig;

const claimsFor = (jti: string, expiresInSeconds = 900): TokenClaims => ({
  sub: '42',
  jti,
  sid: `session-of-${jti}`,
  typ: TokenType.Access,
  roles: ['user'],
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + expiresInSeconds,
  iss: 'i',
  aud: 'a',
});

describe('LiveSessions', () => {
  /** As verify() gives them, checked in the cache's current generation. */
  const watched = (jti: string, expiresInSeconds?: number) => ({
    claims: claimsFor(jti, expiresInSeconds),
    generation: cache.begin(),
  });
  let cache: TokenStateCache;
  let live: LiveSessions;
  const refusals = new Map<string, string>();
  const answerFromStore = (c: TokenClaims) => Promise.resolve(refusals.get(c.jti));
  const check = { refusal: jest.fn(answerFromStore) };
  const signer = { verify: jest.fn() };
  const verified = { get: jest.fn(), set: jest.fn() };
  const callers = { callerFrom: (c: TokenClaims) => ({ id: c.sub, tokenId: c.jti }) };

  beforeEach(() => {
    refusals.clear();
    check.refusal.mockClear();
    signer.verify.mockReset();
    verified.get.mockReset();
    cache = new TokenStateCache(config);
    live = new LiveSessions(
      signer as unknown as TokenSigner,
      verified,
      check as unknown as RevocationCheckService,
      callers as unknown as VerifiedAccessTokensService,
      cache,
      config,
    );
  });
  afterEach(() => {
    live.onModuleDestroy();
    jest.useRealTimers();
  });

  /** Lets the checks a cache event started run to their end. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('verifies a handshake token against the store, and refuses a revoked one', async () => {
    signer.verify.mockReturnValue(claimsFor('t1'));
    await expect(live.verify('a.b.c')).resolves.toMatchObject({ caller: { id: '42' } });
    expect(verified.set).toHaveBeenCalledWith('a.b.c', claimsFor('t1'));
    refusals.set('t1', 'revoked');
    await expect(live.verify('a.b.c')).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
      internalReason: 'revoked',
    });
    signer.verify.mockReturnValue(undefined);
    await expect(live.verify('x.y.z')).rejects.toMatchObject({ code: ErrorCode.InvalidToken });
  });

  it('ends a watched connection when its token is revoked, and only that one', async () => {
    const ended: string[] = [];
    live.watch(watched('t1'), (why) => ended.push(`t1 ${why.code} ${why.message}`));
    live.watch(watched('t2'), () => ended.push('t2'));
    refusals.set('t1', 'revoked');
    cache.invalidate(['t1']);
    await settle();
    expect(ended).toEqual([`t1 ${ErrorCode.InvalidToken} The session ended`]);
    expect(live.size).toBe(1);
    // Told of another token's change, the store is asked about that token only.
    expect(check.refusal.mock.calls.map(([c]) => c.jti)).toEqual(['t1']);
  });

  it('keeps a connection whose token the store still finds live', async () => {
    const end = jest.fn();
    live.watch(watched('t1'), end);
    cache.invalidate(['t1']);
    await settle();
    expect(end).not.toHaveBeenCalled();
    expect(live.size).toBe(1);
  });

  it('checks every watched token again when the cache regains trust (news may have been missed)', async () => {
    const ended: string[] = [];
    live.watch(watched('t1'), () => ended.push('t1'));
    live.watch(watched('t2'), () => ended.push('t2'));
    cache.suspend();
    refusals.set('t2', 'revoked');
    cache.trustUntil(TokenStateCache.clock() + 60_000, cache.epoch);
    await settle();
    expect(ended).toEqual(['t2']);
  });

  it('ends a connection when its token expires', () => {
    jest.useFakeTimers();
    const end = jest.fn();
    live.watch(watched('t1', 30), end);
    jest.advanceTimersByTime(29_000);
    expect(end).not.toHaveBeenCalled();
    jest.advanceTimersByTime(2_000);
    expect(end).toHaveBeenCalledWith(
      expect.objectContaining({
        code: ErrorCode.InvalidToken,
        message: 'The access token expired',
      }),
    );
    expect(live.size).toBe(0);
  });

  it('stops watching a connection that closed first', async () => {
    const end = jest.fn();
    const stop = live.watch(watched('t1'), end);
    stop();
    refusals.set('t1', 'revoked');
    cache.invalidate(['t1']);
    await settle();
    expect(end).not.toHaveBeenCalled();
    expect(check.refusal).not.toHaveBeenCalled();
  });

  it('tries again when the store cannot answer, and ends the connection once it can', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const end = jest.fn();
    live.watch(watched('t1'), end);
    check.refusal.mockRejectedValueOnce(new Error('database down'));
    cache.invalidate(['t1']);
    await settle();
    expect(end).not.toHaveBeenCalled();
    refusals.set('t1', 'revoked');
    jest.advanceTimersByTime(1_000);
    await settle();
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('checks again when news comes during a check, which may have read the state from before', async () => {
    const end = jest.fn();
    live.watch(watched('t1'), end);
    let answer!: (reason: string | undefined) => void;
    check.refusal.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    cache.invalidate(['t1']);
    // The revocation commits, and its news arrives, while the first check is still reading.
    refusals.set('t1', 'revoked');
    cache.invalidate(['t1']);
    answer(undefined);
    await settle();
    await settle();
    expect(check.refusal).toHaveBeenCalledTimes(2);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('checks at once a token whose news came between its handshake check and its watch', async () => {
    const end = jest.fn();
    const before = watched('t1');
    refusals.set('t1', 'revoked');
    cache.invalidate(['t1']);
    live.watch(before, end);
    await settle();
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('retries each watch on its own while the store is down, backing off from 1 s to 10 s', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    for (let i = 0; i < 3; i++) live.watch(watched('t1'), jest.fn());
    check.refusal.mockRejectedValue(new Error('database down'));
    cache.invalidate(['t1']);
    await settle();
    const checksAt: number[] = [];
    for (let second = 1; second <= 40; second++) {
      const before = check.refusal.mock.calls.length;
      jest.advanceTimersByTime(1_000);
      await settle();
      // Three watches, one check each at a time: all three or none.
      if (check.refusal.mock.calls.length > before) {
        expect(check.refusal.mock.calls.length - before).toBe(3);
        checksAt.push(second);
      }
    }
    expect(checksAt).toEqual([1, 3, 7, 15, 25, 35]);
    // One warning per watch for the outage, not one per retry.
    expect(warn).toHaveBeenCalledTimes(3);
    warn.mockRestore();

    // Back: the next retry reads the store's answer, and the backoff starts over.
    check.refusal.mockImplementation(answerFromStore);
    jest.advanceTimersByTime(10_000);
    await settle();
    check.refusal.mockClear();
    check.refusal.mockRejectedValueOnce(new Error('database down'));
    cache.invalidate(['t1']);
    await settle();
    jest.advanceTimersByTime(1_000);
    await settle();
    // The news checks all three; the one whose check failed is tried again a second later.
    expect(check.refusal).toHaveBeenCalledTimes(3 + 1);
  });
});
