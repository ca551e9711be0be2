import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { ErrorCode } from '../common/errors/domain-error';
import type { GatehouseUser } from '../users/user-store';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { randomUUID } from 'node:crypto';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { SessionIssuer } from './session-issuer.service';
import { TokenSigner } from './token-signer';
import { TokensModule } from './tokens.module';
import { TokensService } from './tokens.service';

const client = { userAgent: 'spec', ip: '192.0.2.7' };

describe('SessionIssuer', () => {
  let moduleRef: TestingModule;
  let issuer: SessionIssuer;
  let user: GatehouseUser;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), UsersModule, TokensModule],
    }).compile();
    await moduleRef.init();
    issuer = moduleRef.get(SessionIssuer);
    user = await moduleRef
      .get(UsersService)
      .create({ email: 'ada@example.com', passwordHash: 'x' });
  });
  afterEach(() => moduleRef.close());

  const rowsOf = () => moduleRef.get(DataSource).getRepository(Token).findBy({ userId: user.id });

  it('opens a session and audits it with the user, the session and the client', async () => {
    const record = jest.spyOn(moduleRef.get(AuditLog), 'record');
    const pair = await issuer.open(user, client);
    const claims = moduleRef.get(TokenSigner).verify(pair.access_token, TokenType.Access);
    expect(claims).toMatchObject({ sub: user.id, roles: user.roles });
    expect(record).toHaveBeenCalledWith('login.success', {
      ...client,
      userId: user.id,
      sessionId: claims?.sid,
    });
  });

  it('issues nothing to an account disabled while its login is in flight, after the password check', async () => {
    // An admin disables the account after the password was proven, before the session's rows
    // exist: the revoke-all of the disable finds nothing to revoke, so only the re-check can.
    const tokens = moduleRef.get(TokensService);
    const startSession = tokens.startSession.bind(tokens);
    jest.spyOn(tokens, 'startSession').mockImplementationOnce(async (...args) => {
      await moduleRef.get(UsersService).setDisabled(user.id, true);
      return startSession(...args);
    });
    const record = jest.spyOn(moduleRef.get(AuditLog), 'record');

    await expect(issuer.open(user, client)).rejects.toMatchObject({
      code: ErrorCode.AccountDisabled,
    });
    // The pair was written, and is revoked before anyone could hold it.
    expect(
      (await rowsOf()).map((row) => [row.type, row.revoked, row.revokedReason]).sort(),
    ).toEqual([
      [TokenType.Access, true, RevocationReason.UserDisabled],
      [TokenType.Refresh, true, RevocationReason.UserDisabled],
    ]);
    expect(record).toHaveBeenCalledWith('login.failure', {
      ...client,
      userId: user.id,
      reason: 'account_disabled',
    });
    expect(record).not.toHaveBeenCalledWith('login.success', expect.anything());
  });

  it('records the passkey that signed the session in, and audits the method', async () => {
    const record = jest.spyOn(moduleRef.get(AuditLog), 'record');
    const passkeyId = randomUUID();
    const pair = await issuer.open(user, client, {
      id: passkeyId,
      stillThere: () => Promise.resolve(true),
    });
    const sid = moduleRef.get(TokenSigner).verify(pair.access_token, TokenType.Access)?.sid;
    const session = await moduleRef.get(DataSource).getRepository(Session).findOneBy({ id: sid });
    expect(session).toMatchObject({ passkeyId, revoked: false });
    expect(record).toHaveBeenCalledWith(
      'login.success',
      expect.objectContaining({ method: 'passkey', passkeyId, sessionId: sid }),
    );
  });

  it('ends a session whose passkey was removed while its sign-in was in flight', async () => {
    // The removal ended the passkey's sessions before this one's rows existed: only the
    // re-check after the insert can see it.
    await expect(
      issuer.open(user, client, { id: randomUUID(), stillThere: () => Promise.resolve(false) }),
    ).rejects.toMatchObject({ code: ErrorCode.PasskeyRefused });
    expect((await rowsOf()).map((row) => [row.revoked, row.revokedReason])).toEqual([
      [true, RevocationReason.PasskeyRemoved],
      [true, RevocationReason.PasskeyRemoved],
    ]);
  });

  it('refreshes an active account’s session, and ends a disabled one’s instead', async () => {
    const first = await issuer.open(user, client);
    const next = await issuer.refresh(first.refresh_token, client);
    expect(next.refresh_token).not.toBe(first.refresh_token);

    await moduleRef.get(UsersService).setDisabled(user.id, true);
    await expect(issuer.refresh(next.refresh_token, client)).rejects.toMatchObject({
      code: ErrorCode.InvalidRefreshToken,
    });
    expect((await rowsOf()).filter((row) => !row.revoked)).toEqual([]);
  });
});
