import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { User } from '../users/entities/user.entity';
import { RevocationBus } from './cache/revocation-bus';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';
import { TokensModule } from './tokens.module';
import { TokensService } from './tokens.service';

const client = { userAgent: 'spec', ip: '127.0.0.1' };

describe('TokenRevocationService', () => {
  let moduleRef: TestingModule;
  let revocation: TokenRevocationService;
  let tokens: Repository<Token>;
  let sessions: Repository<Session>;
  let published: jest.SpyInstance;
  let userId: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), TokensModule],
    }).compile();
    await moduleRef.init();
    revocation = moduleRef.get(TokenRevocationService);
    tokens = moduleRef.get(getRepositoryToken(Token));
    sessions = moduleRef.get(DataSource).getRepository(Session);
    published = jest.spyOn(moduleRef.get(RevocationBus), 'publish');
    const users = moduleRef.get(DataSource).getRepository(User);
    userId = (
      await users.save(users.create({ email: 'a@example.com', passwordHash: 'x', roles: ['user'] }))
    ).id;
  });
  afterEach(() => moduleRef.close());

  const login = async () => {
    const pair = await moduleRef
      .get(TokensService)
      .startSession({ id: userId, roles: ['user'] }, client);
    const claims = moduleRef.get(TokenSigner).verify(pair.access_token, TokenType.Access);
    if (!claims) throw new Error('no claims');
    return claims;
  };
  const announcedJtis = (call: number) =>
    (published.mock.calls[call][0] as Array<{ jti: string; revoked: boolean }>).map((s) => s.jti);

  it('ends a session: its tokens and its row, and announces its access token', async () => {
    const { sid, jti } = await login();
    await expect(revocation.revokeFamily(sid, RevocationReason.Logout)).resolves.toBe(2);
    expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(0);
    expect(await sessions.findOneBy({ id: sid })).toMatchObject({
      revoked: true,
      revokedReason: 'logout',
    });
    // Only access tokens are cached anywhere, so only they are announced.
    expect(announcedJtis(0)).toEqual([jti]);
  });

  it('announces again a session already ended, and counts nothing twice', async () => {
    const { sid, jti } = await login();
    await revocation.revokeFamily(sid, RevocationReason.Logout);
    await expect(revocation.revokeFamily(sid, RevocationReason.Logout)).resolves.toBe(0);
    expect(announcedJtis(1)).toEqual([jti]);
    expect(await tokens.findOneBy({ jti })).toMatchObject({ revokedReason: 'logout' });
  });

  it('keeps the excepted session when ending all the others', async () => {
    const kept = await login();
    const ended = await login();
    await expect(
      revocation.revokeAllForUser(userId, RevocationReason.LogoutAll, kept.sid),
    ).resolves.toBe(2);
    expect(await tokens.countBy({ familyId: kept.sid, revoked: false })).toBe(2);
    expect(await sessions.findOneBy({ id: kept.sid })).toMatchObject({ revoked: false });
    expect(await sessions.findOneBy({ id: ended.sid })).toMatchObject({ revoked: true });
    expect(announcedJtis(0)).toEqual([ended.jti]);
  });

  it('commits what runs alongside with the revocation, or neither', async () => {
    const { sid } = await login();
    const disable = (manager: EntityManager) =>
      manager.update(User, { id: userId }, { disabled: true });
    await expect(
      revocation.revokeAllForUser(
        userId,
        RevocationReason.UserDisabled,
        undefined,
        async (manager) => {
          await disable(manager);
          throw new Error('changed its mind');
        },
      ),
    ).rejects.toThrow('changed its mind');
    const users = moduleRef.get(DataSource).getRepository(User);
    expect(await users.findOneByOrFail({ id: userId })).toMatchObject({ disabled: false });
    expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(2);

    await revocation.revokeAllForUser(
      userId,
      RevocationReason.UserDisabled,
      undefined,
      async (manager) => {
        await disable(manager);
      },
    );
    expect(await users.findOneByOrFail({ id: userId })).toMatchObject({ disabled: true });
    expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(0);
  });

  it('revokes nothing, and announces nothing, when the transaction fails', async () => {
    const { sid } = await login();
    const failing = jest
      .spyOn(EntityManager.prototype, 'find')
      .mockRejectedValueOnce(new Error('gone'));
    await expect(revocation.revokeFamily(sid, RevocationReason.Logout)).rejects.toThrow('gone');
    failing.mockRestore();
    expect(await tokens.countBy({ familyId: sid, revoked: false })).toBe(2);
    expect(await sessions.findOneBy({ id: sid })).toMatchObject({ revoked: false });
    expect(published).not.toHaveBeenCalled();
  });
});
