import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { ErrorCode } from '../common/errors/domain-error';
import type { Caller } from '../core/auth-user';
import { OneTimeToken, OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { Token, TokenType } from '../tokens/entities/token.entity';
import { SessionIssuer } from '../tokens/session-issuer.service';
import { TokenSigner } from '../tokens/token-signer';
import { TokensModule } from '../tokens/tokens.module';
import { PasswordHasher } from '../users/password-hasher.service';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { AccountMails } from './account-mails.service';
import { AccountModule } from './account.module';
import { OneTimeTokensService } from './one-time-tokens.service';
import { PasswordChangeService } from './password-change.service';

const client = { userAgent: 'spec', ip: '192.0.2.7' };
const OLD = 'the old long password';
const NEW = 'a brand new long password';

describe('PasswordChangeService', () => {
  let moduleRef: TestingModule;
  let service: PasswordChangeService;
  let userId: string;
  let caller: Caller;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), UsersModule, TokensModule, AccountModule],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(PasswordChangeService);
    const hash = await moduleRef.get(PasswordHasher).hash(OLD);
    const user = await moduleRef
      .get(UsersService)
      .create({ email: 'ada@example.com', passwordHash: hash });
    userId = user.id;
    // Two sessions: the caller's, and one on another device.
    const issuer = moduleRef.get(SessionIssuer);
    const mine = await issuer.open(user, client);
    await issuer.open(user, client);
    const claims = moduleRef.get(TokenSigner).verify(mine.access_token, TokenType.Access);
    if (!claims) throw new Error('no claims');
    caller = {
      sub: userId,
      roles: claims.roles,
      claims: {},
      tokenId: claims.jti,
      sessionId: claims.sid,
      expiresAt: claims.exp,
    };
  });
  afterEach(() => moduleRef.close());

  const liveSessions = async () => {
    const rows = await moduleRef.get(DataSource).getRepository(Token).findBy({ userId });
    return new Set(rows.filter((row) => !row.revoked).map((row) => row.familyId));
  };

  it('sets the new password, ends every other session and keeps the caller’s', async () => {
    const mail = jest.spyOn(moduleRef.get(AccountMails), 'passwordChanged');
    const record = jest.spyOn(moduleRef.get(AuditLog), 'record');
    await service.change(caller, OLD, NEW, client);

    const stored = await moduleRef.get(UsersService).findById(userId);
    await expect(moduleRef.get(PasswordHasher).verify(NEW, stored!.passwordHash)).resolves.toBe(
      true,
    );
    expect(await liveSessions()).toEqual(new Set([caller.sessionId]));
    expect(mail).toHaveBeenCalledWith('ada@example.com', client.ip);
    expect(record).toHaveBeenCalledWith('password.changed', {
      ...client,
      userId,
      sessionId: caller.sessionId,
      revokedTokens: 2,
    });
  });

  it('voids a reset link and a half-done two-factor login issued under the old password', async () => {
    const oneTime = moduleRef.get(OneTimeTokensService);
    await oneTime.issue(userId, OneTimeTokenPurpose.PasswordReset, 3600);
    await oneTime.issue(userId, OneTimeTokenPurpose.MfaLogin, 300);
    await oneTime.issue(userId, OneTimeTokenPurpose.EmailVerification, 3600);
    await service.change(caller, OLD, NEW, client);

    const rows = await moduleRef.get(DataSource).getRepository(OneTimeToken).findBy({ userId });
    const spent = Object.fromEntries(rows.map((row) => [row.purpose, row.usedAt !== null]));
    expect(spent).toEqual({
      [OneTimeTokenPurpose.PasswordReset]: true,
      [OneTimeTokenPurpose.MfaLogin]: true,
      [OneTimeTokenPurpose.EmailVerification]: false,
    });
  });

  it('changes nothing for a wrong current password', async () => {
    const before = (await moduleRef.get(UsersService).findById(userId))!.passwordHash;
    await expect(service.change(caller, 'not the password', NEW, client)).rejects.toMatchObject({
      code: ErrorCode.WrongCurrentPassword,
    });
    expect((await moduleRef.get(UsersService).findById(userId))!.passwordHash).toBe(before);
    expect((await liveSessions()).size).toBe(2);
  });
});
