import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { ErrorCode } from '../common/errors/domain-error';
import { User } from '../users/entities/user.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { SharedTokenStateStore } from './cache/shared-token-state.store';
import { TokenStateCache } from './cache/token-state.cache';
import { RevocationCheckService } from './revocation-check.service';
import { TokenClaims } from './token-claims';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';
import { TokensModule } from './tokens.module';
import { TokensService } from './tokens.service';

describe('RevocationCheckService and TokenRevocationService', () => {
  let moduleRef: TestingModule;
  let check: RevocationCheckService;
  let revocation: TokenRevocationService;
  let tokens: Repository<Token>;
  let access: TokenClaims;
  let userId: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), TokensModule],
    }).compile();
    await moduleRef.init();
    check = moduleRef.get(RevocationCheckService);
    revocation = moduleRef.get(TokenRevocationService);
    tokens = moduleRef.get(getRepositoryToken(Token));
    const users = moduleRef.get(DataSource).getRepository(User);
    userId = (await users.save(users.create({ email: 'a@b.co', passwordHash: 'x', roles: [] }))).id;
    const pair = await moduleRef
      .get(TokensService)
      .startSession({ id: userId, roles: [] }, { userAgent: null, ip: null });
    const claims = moduleRef.get(TokenSigner).verify(pair.access_token, TokenType.Access);
    if (!claims) throw new Error('no claims');
    access = claims;
  });
  afterEach(() => moduleRef.close());

  const refusal = (claims: TokenClaims) =>
    check.assertActive(claims).then(
      () => 'accepted',
      (error: { code: ErrorCode; internalReason?: string }) => error.internalReason ?? error.code,
    );

  it('accepts a live access token', async () => {
    await expect(check.assertActive(access)).resolves.toBeUndefined();
  });

  it('refuses an unknown jti', async () => {
    expect(await refusal({ ...access, jti: 'nope' })).toBe('unknown jti');
  });

  it('refuses a revoked token', async () => {
    expect(await revocation.revokeIfLive(access.jti, RevocationReason.Admin)).toBe(true);
    expect(await refusal(access)).toBe('revoked');
  });

  it('refuses a token past its stored expiry', async () => {
    await tokens.update({ jti: access.jti }, { expiresAt: new Date(Date.now() - 60_000) });
    expect(await refusal(access)).toBe('expired');
  });

  it('refuses claims that do not match the row (another user or session)', async () => {
    expect(await refusal({ ...access, sub: 'someone-else' })).toMatch(/do not match/);
    expect(await refusal({ ...access, sid: 'another-session' })).toMatch(/do not match/);
  });

  it('refuses a jti that names a refresh token', async () => {
    await tokens.update({ jti: access.jti }, { type: TokenType.Refresh });
    expect(await refusal(access)).toMatch(/do not match/);
  });

  /** Every statement the database is sent (better-sqlite3 has one shared query runner). */
  const statements = () =>
    jest.spyOn(moduleRef.get(DataSource).driver.createQueryRunner('master'), 'query');

  it('reads a token state in two statements: the row by its key, its owner through the user store', async () => {
    const sent = statements();
    await check.assertActive(access);
    expect(sent).toHaveBeenCalledTimes(2);
    expect(sent.mock.calls[0][0]).toMatch(/FROM "tokens"/);
    expect(sent.mock.calls[1][0]).toMatch(/FROM "users"/);
  });

  it('refuses the token of an account the user store no longer has', async () => {
    await moduleRef.get(DataSource).query('DELETE FROM users');
    expect(await refusal(access)).toMatch(/disabled/);
  });

  it('serves repeated checks from the cache, and a revocation empties it at once', async () => {
    const find = jest.spyOn(tokens, 'findOne');
    await check.assertActive(access);
    await check.assertActive(access);
    await check.assertActive(access);
    expect(find).toHaveBeenCalledTimes(1);
    await revocation.revokeFamily(access.sid, RevocationReason.Logout);
    expect(await refusal(access)).toBe('revoked');
    expect(find).toHaveBeenCalledTimes(2);
  });

  it('reads a refresh token from the database at every check: nothing caches refresh tokens', async () => {
    const refreshRow = await tokens.findOneByOrFail({
      familyId: access.sid,
      type: TokenType.Refresh,
    });
    const refresh = { ...access, jti: refreshRow.jti, typ: TokenType.Refresh };
    const find = jest.spyOn(tokens, 'findOne');
    await expect(check.refusal(refresh)).resolves.toBeUndefined();
    await expect(check.refusal(refresh)).resolves.toBeUndefined();
    expect(find).toHaveBeenCalledTimes(2);
    // A rotation flips the row without announcing it anywhere, and is seen at once.
    await tokens.update({ jti: refreshRow.jti }, { revoked: true });
    await expect(check.refusal(refresh)).resolves.toBe('revoked');
  });

  it('reads nothing cached while the caches are not trusted', async () => {
    const find = jest.spyOn(tokens, 'findOne');
    await check.assertActive(access);
    moduleRef.get(TokenStateCache).suspend();
    await check.assertActive(access);
    expect(find).toHaveBeenCalledTimes(2);
    expect(check.isLiveInCache(access)).toBe(false);
  });

  it('does not use an answer from Redis if trust was withdrawn while it came', async () => {
    // The database says revoked; Redis (stale) says live, and trust goes while it answers.
    await tokens.update({ jti: access.jti }, { revoked: true });
    const cache = moduleRef.get(TokenStateCache);
    const shared = moduleRef.get(SharedTokenStateStore);
    jest.spyOn(shared, 'get').mockImplementation(() => {
      cache.suspend();
      return Promise.resolve({
        jti: access.jti,
        type: TokenType.Access,
        userId,
        familyId: access.sid,
        expiresAt: access.exp * 1000,
        revoked: false,
        userDisabled: false,
      });
    });
    expect(await refusal(access)).toBe('revoked');
  });

  it('refuses a cached token once it has expired, past the clock leeway', async () => {
    const expiresAt = Date.now() + 60_000;
    await tokens.update({ jti: access.jti }, { expiresAt: new Date(expiresAt) });
    await check.assertActive(access);
    await expect(check.assertActive(access, expiresAt + 4_000)).resolves.toBeUndefined();
    await expect(check.assertActive(access, expiresAt + 5_000)).rejects.toMatchObject({
      internalReason: 'expired',
    });
  });

  it('revokeIfLive flips a row once only', async () => {
    expect(await revocation.revokeIfLive(access.jti, RevocationReason.Logout)).toBe(true);
    expect(await revocation.revokeIfLive(access.jti, RevocationReason.Logout)).toBe(false);
    expect(await tokens.findOneByOrFail({ jti: access.jti })).toMatchObject({
      revoked: true,
      revokedReason: RevocationReason.Logout,
      revokedAt: expect.any(Date),
    });
  });

  it('revokes a family and all of a user, counting only live rows', async () => {
    expect(await revocation.revokeFamily(access.sid, RevocationReason.Logout)).toBe(2);
    expect(await revocation.revokeFamily(access.sid, RevocationReason.Logout)).toBe(0);
    expect(await revocation.revokeAllForUser(userId, RevocationReason.Admin)).toBe(0);
  });
});
