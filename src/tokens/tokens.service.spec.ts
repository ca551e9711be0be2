import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { TokenSigner } from './token-signer';
import { TokenSubject, TokensService } from './tokens.service';
import { TokensModule } from './tokens.module';

const client = { userAgent: 'spec', ip: '127.0.0.1' };

describe('TokensService', () => {
  let moduleRef: TestingModule;
  let service: TokensService;
  let signer: TokenSigner;
  let tokens: Repository<Token>;
  let subject: TokenSubject;
  const resolve = (id: string) => Promise.resolve(id === subject.id ? subject : undefined);

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), TokensModule],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(TokensService);
    signer = moduleRef.get(TokenSigner);
    tokens = moduleRef.get(getRepositoryToken(Token));
    const users = moduleRef.get(DataSource).getRepository(User);
    const user = await users.save(
      users.create({ email: 'a@example.com', passwordHash: 'x', roles: ['user'] }),
    );
    subject = { id: user.id, roles: user.roles };
  });
  afterEach(() => moduleRef.close());

  const claimsOf = (token: string, type: TokenType) => {
    const claims = signer.verify(token, type);
    if (!claims) throw new Error('token did not verify');
    return claims;
  };

  describe('startSession', () => {
    it('stores one access and one refresh row in a new family, matching the JWT claims', async () => {
      const pair = await service.startSession(subject, client);
      const access = claimsOf(pair.access_token, TokenType.Access);
      const refresh = claimsOf(pair.refresh_token, TokenType.Refresh);
      expect(access.sid).toBe(refresh.sid);
      expect(access.exp - access.iat).toBe(900);
      expect(refresh.exp - refresh.iat).toBe(3600);
      const rows = await tokens.findBy({ familyId: access.sid });
      expect(rows).toHaveLength(2);
      const accessRow = rows.find((r) => r.jti === access.jti);
      expect(accessRow).toMatchObject({
        type: TokenType.Access,
        userId: subject.id,
        revoked: false,
        userAgent: 'spec',
        ip: '127.0.0.1',
      });
      expect(accessRow?.expiresAt.getTime()).toBe(access.exp * 1000);
    });

    it('starts a new family for every login', async () => {
      const a = claimsOf(
        (await service.startSession(subject, client)).access_token,
        TokenType.Access,
      );
      const b = claimsOf(
        (await service.startSession(subject, client)).access_token,
        TokenType.Access,
      );
      expect(a.sid).not.toBe(b.sid);
    });

    it('stores the session and its tokens together or not at all', async () => {
      const insert = EntityManager.prototype.insert;
      const failing = jest.spyOn(EntityManager.prototype, 'insert').mockImplementation(function (
        this: EntityManager,
        target,
        values,
      ) {
        if (target === Token) return Promise.reject(new Error('disk full'));
        return insert.call(this, target, values);
      });
      await expect(service.startSession(subject, client, 'family-x')).rejects.toThrow('disk full');
      failing.mockRestore();
      expect(
        await moduleRef.get(DataSource).getRepository(Session).countBy({ id: 'family-x' }),
      ).toBe(0);
      expect(await tokens.countBy({ familyId: 'family-x' })).toBe(0);
    });
  });

  describe('rotate', () => {
    it('issues a pair in the same family and revokes the presented token as rotated', async () => {
      const first = await service.startSession(subject, client);
      const next = await service.rotate(first.refresh_token, resolve, client);
      const old = claimsOf(first.refresh_token, TokenType.Refresh);
      const fresh = claimsOf(next.refresh_token, TokenType.Refresh);
      expect(fresh.sid).toBe(old.sid);
      expect(await tokens.findOneByOrFail({ jti: old.jti })).toMatchObject({
        revoked: true,
        revokedReason: RevocationReason.Rotated,
      });
    });

    it('treats a second use as reuse and revokes every token of the family', async () => {
      const first = await service.startSession(subject, client);
      await service.rotate(first.refresh_token, resolve, client);
      await expect(service.rotate(first.refresh_token, resolve, client)).rejects.toMatchObject({
        code: ErrorCode.RefreshTokenReused,
      });
      const { sid } = claimsOf(first.refresh_token, TokenType.Refresh);
      expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(0);
      // The first access token and the rotated pair were live; the spent refresh token was not.
      expect(
        await tokens.countBy({ familyId: sid, revokedReason: RevocationReason.ReuseDetected }),
      ).toBe(3);
    });

    it('audits a rotation, and a reuse as a warning naming the user and session', async () => {
      const audit = moduleRef.get(AuditLog);
      const record = jest.spyOn(audit, 'record').mockImplementation(() => undefined);
      const warn = jest.spyOn(audit, 'warn').mockImplementation(() => undefined);
      const first = await service.startSession(subject, client);
      const { sid } = claimsOf(first.refresh_token, TokenType.Refresh);
      await service.rotate(first.refresh_token, resolve, client);
      expect(record).toHaveBeenCalledWith('refresh', {
        ...client,
        userId: subject.id,
        sessionId: sid,
      });
      await expect(service.rotate(first.refresh_token, resolve, client)).rejects.toBeDefined();
      expect(warn).toHaveBeenCalledWith('refresh.reuse_detected', {
        ...client,
        userId: subject.id,
        sessionId: sid,
        revokedTokens: 3,
      });
      expect(JSON.stringify([record.mock.calls, warn.mock.calls])).not.toContain(
        first.refresh_token,
      );
    });

    it('lets one of many concurrent rotations win and leaves nothing live', async () => {
      const first = await service.startSession(subject, client);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => service.rotate(first.refresh_token, resolve, client)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const { sid } = claimsOf(first.refresh_token, TokenType.Refresh);
      expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(0);
    });

    it('refuses a logged-out session without flagging reuse', async () => {
      const first = await service.startSession(subject, client);
      const { sid } = claimsOf(first.refresh_token, TokenType.Refresh);
      await tokens.update(
        { familyId: sid },
        { revoked: true, revokedReason: RevocationReason.Logout },
      );
      await expect(service.rotate(first.refresh_token, resolve, client)).rejects.toMatchObject({
        code: ErrorCode.InvalidRefreshToken,
      });
    });

    it('refuses an access token', async () => {
      const { access_token } = await service.startSession(subject, client);
      await expect(service.rotate(access_token, resolve, client)).rejects.toBeInstanceOf(
        DomainError,
      );
    });

    it('refuses a token whose row has expired', async () => {
      const first = await service.startSession(subject, client);
      const { jti } = claimsOf(first.refresh_token, TokenType.Refresh);
      await tokens.update({ jti }, { expiresAt: new Date(Date.now() - 1) });
      await expect(service.rotate(first.refresh_token, resolve, client)).rejects.toMatchObject({
        code: ErrorCode.InvalidRefreshToken,
      });
    });

    it('revokes the family when the user is gone or disabled', async () => {
      const first = await service.startSession(subject, client);
      await expect(
        service.rotate(first.refresh_token, () => Promise.resolve(undefined), client),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidRefreshToken });
      const { sid } = claimsOf(first.refresh_token, TokenType.Refresh);
      expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(0);
    });

    it('keeps the presented token live when the new pair cannot be stored: never both, never neither', async () => {
      const pair = await service.startSession(subject, client);
      const old = claimsOf(pair.refresh_token, TokenType.Refresh);
      const failing = jest
        .spyOn(EntityManager.prototype, 'insert')
        .mockRejectedValueOnce(new Error('disk full'));
      await expect(service.rotate(pair.refresh_token, resolve, client)).rejects.toThrow(
        'disk full',
      );
      failing.mockRestore();
      expect(await tokens.findOneBy({ jti: old.jti })).toMatchObject({ revoked: false });
      expect(await tokens.countBy({ familyId: old.sid })).toBe(2);
      // And the session was not touched either: the same token rotates normally afterwards.
      const next = await service.rotate(pair.refresh_token, resolve, client);
      expect(claimsOf(next.refresh_token, TokenType.Refresh).sid).toBe(old.sid);
      expect(
        await tokens.countBy({ familyId: old.sid, type: TokenType.Refresh, revoked: false }),
      ).toBe(1);
    });

    it('refuses garbage without touching the store', async () => {
      await expect(service.rotate('not.a.jwt', resolve, client)).rejects.toMatchObject({
        code: ErrorCode.InvalidRefreshToken,
      });
    });
  });
});
