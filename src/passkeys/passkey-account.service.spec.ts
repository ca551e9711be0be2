import { TestingModule } from '@nestjs/testing';
import { SoftAuthenticator } from '../../test/support/soft-authenticator';
import { PASSKEY_ORIGIN, passkeysTestModule } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { ErrorCode } from '../common/errors/domain-error';
import type { Caller } from '../core/auth-user';
import { Mailer } from '../mail/mailer.service';
import type { MailMessage } from '../mail/mail-message';
import { RevocationReason } from '../tokens/entities/token.entity';
import { SessionIssuer } from '../tokens/session-issuer.service';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import type { GatehouseUser } from '../users/user-store';
import { PasskeyAccount } from './passkey-account.service';
import { PasskeysService } from './passkeys.service';

const client = { ip: '198.51.100.4', userAgent: 'spec' };

describe('PasskeyAccount', () => {
  let moduleRef: TestingModule;
  let account: PasskeyAccount;
  let ada: GatehouseUser;
  let caller: Caller;
  let mails: MailMessage[];

  /** Signed in just now: no password needed within REAUTH_MAX_AGE. */
  const callerOf = (user: GatehouseUser): Caller => ({
    sub: user.id,
    roles: user.roles,
    tokenId: 'spec',
    sessionId: 'spec',
    expiresAt: Math.floor(Date.now() / 1000) + 60,
    claims: {},
    authTime: Math.floor(Date.now() / 1000),
  });

  const add = async (name = 'Phone') => {
    const options = await account.registrationOptions(caller, undefined, client);
    const key = new SoftAuthenticator('localhost', PASSKEY_ORIGIN);
    return account.register(caller, key.register(options.challenge), name, client);
  };

  beforeEach(async () => {
    moduleRef = await passkeysTestModule({}, [UsersModule, TokensModule]);
    account = moduleRef.get(PasskeyAccount);
    mails = [];
    jest.spyOn(moduleRef.get(Mailer), 'send').mockImplementation((mail) => void mails.push(mail));
    ada = await moduleRef.get(UsersService).create({ email: 'ada@example.com', passwordHash: 'x' });
    caller = callerOf(ada);
  });
  afterEach(() => moduleRef.close());

  it('adds a passkey: audited and mailed to the owner', async () => {
    const record = jest.spyOn(moduleRef.get(AuditLog), 'record');
    const passkey = await add('Laptop');
    expect(record).toHaveBeenCalledWith(
      'passkey.registered',
      expect.objectContaining({ userId: ada.id, passkeyId: passkey.id }),
    );
    expect(mails).toEqual([
      expect.objectContaining({ to: 'ada@example.com', kind: 'passkey_changed' }),
    ]);
    expect(mails[0].text).toContain('"Laptop"');
  });

  it('asks for proof of the person to start adding one once the sign-in is old', async () => {
    const stale = { ...caller, authTime: Math.floor(Date.now() / 1000) - 3600 };
    await expect(account.registrationOptions(stale, undefined, client)).rejects.toMatchObject({
      code: ErrorCode.ReauthenticationRequired,
    });
  });

  it('audits a refused registration with the reason', async () => {
    const warn = jest.spyOn(moduleRef.get(AuditLog), 'warn');
    await expect(
      account.register(caller, { nonsense: true }, undefined, client),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidPasskeyChallenge,
    });
    expect(warn).toHaveBeenCalledWith(
      'passkey.failure',
      expect.objectContaining({ userId: ada.id, purpose: 'registration' }),
    );
  });

  it('renames one, mailing the new name', async () => {
    const passkey = await add();
    await expect(account.rename(caller, passkey.id, 'Old phone', client)).resolves.toMatchObject({
      name: 'Old phone',
    });
    expect(mails.at(-1)?.subject).toMatch(/renamed/);
    expect((await account.list(ada.id))[0].name).toBe('Old phone');
  });

  it('removes one: the sessions it signed in end, the others stay', async () => {
    const passkey = await add();
    const other = await add('Other');
    const issuer = moduleRef.get(SessionIssuer);
    const exists = () => moduleRef.get(PasskeysService).exists(passkey.id);
    await issuer.open(ada, client, { id: passkey.id, stillThere: exists });
    await issuer.open(ada, client, { id: passkey.id, stillThere: exists });
    await issuer.open(ada, client, { id: other.id, stillThere: () => Promise.resolve(true) });
    await issuer.open(ada, client);
    const revoke = jest.spyOn(moduleRef.get(TokenRevocationService), 'revokeSignedInWith');
    await account.remove(caller, passkey.id, undefined, client);
    expect(revoke).toHaveBeenCalledWith(passkey.id, RevocationReason.PasskeyRemoved);
    await expect(revoke.mock.results[0].value).resolves.toBe(4);
    expect((await account.list(ada.id)).map((p) => p.id)).toEqual([other.id]);
    expect(mails.at(-1)?.subject).toMatch(/removed from/);
    await expect(account.remove(caller, passkey.id, undefined, client)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it("finds none of another account's passkeys", async () => {
    const passkey = await add();
    const bob = await moduleRef
      .get(UsersService)
      .create({ email: 'bob@example.com', passwordHash: 'x' });
    for (const attempt of [
      () => account.rename(callerOf(bob), passkey.id, 'mine', client),
      () => account.remove(callerOf(bob), passkey.id, undefined, client),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: ErrorCode.NotFound });
    }
    expect(await account.list(ada.id)).toHaveLength(1);
  });

  it('lets an admin remove one or all, mailing the owner for each and auditing it', async () => {
    const first = await add('One');
    await add('Two');
    await add('Three');
    const warn = jest.spyOn(moduleRef.get(AuditLog), 'warn');
    await expect(account.removeByAdmin(ada.id, first.id, 'admin-1', client)).resolves.toBe(1);
    await expect(account.removeByAdmin(ada.id, undefined, 'admin-1', client)).resolves.toBe(2);
    expect(await account.list(ada.id)).toEqual([]);
    expect(mails.filter((mail) => /administrator removed/.test(mail.subject))).toHaveLength(3);
    expect(warn).toHaveBeenCalledWith(
      'admin.passkeys_removed',
      expect.objectContaining({ userId: ada.id, adminId: 'admin-1' }),
    );
    await expect(
      account.removeByAdmin('no-such-user', undefined, 'admin-1', client),
    ).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
