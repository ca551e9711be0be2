import { TestingModule } from '@nestjs/testing';
import { SoftAuthenticator } from '../../../test/support/soft-authenticator';
import { PASSKEY_ORIGIN, passkeysTestModule } from '../../../test/support/unit';
import { AuditLog } from '../../common/audit/audit-log.service';
import { ErrorCode } from '../../common/errors/domain-error';
import { PasskeyAuthentication } from '../../passkeys/passkey-authentication.service';
import { PasskeyRegistration } from '../../passkeys/passkey-registration.service';
import { TokensModule } from '../../tokens/tokens.module';
import { TwoFactorLockoutService } from '../../users/login-lockout.service';
import { UsersModule } from '../../users/users.module';
import { UsersService } from '../../users/users.service';
import { AccountModule } from '../account.module';
import { MfaChallengeService } from './mfa-challenge.service';

const client = { ip: '192.0.2.40', userAgent: 'spec' };

/** The passkey as the second step of a password login, through the mfa_token. */
describe('MfaChallengeService with a passkey', () => {
  let moduleRef: TestingModule;
  let mfa: MfaChallengeService;
  let ada: string;
  let key: SoftAuthenticator;

  beforeEach(async () => {
    moduleRef = await passkeysTestModule({}, [UsersModule, TokensModule, AccountModule]);
    mfa = moduleRef.get(MfaChallengeService);
    ada = (
      await moduleRef.get(UsersService).create({ email: 'ada@example.com', passwordHash: 'x' })
    ).id;
    key = new SoftAuthenticator('localhost', PASSKEY_ORIGIN);
    const registration = moduleRef.get(PasskeyRegistration);
    const options = await registration.options({ id: ada, email: 'ada@example.com' });
    await registration.verify(ada, key.register(options.challenge), 'Phone');
  });
  afterEach(() => moduleRef.close());

  const challengeFor = async (mfaToken: string) =>
    ((await mfa.passkeyOptions(mfaToken)) as { challenge: string }).challenge;

  it('offers the passkey, and redeems the mfa_token with it: the passkey is named for the session', async () => {
    const { mfa_token, mfa_methods } = await mfa.issue(ada, client);
    expect(mfa_methods).toEqual(['totp', 'recovery_code', 'passkey']);
    const answer = key.assert(await challengeFor(mfa_token));
    const redeemed = await mfa.redeem(mfa_token, { passkey: answer }, client);
    expect(redeemed).toEqual({ userId: ada, passkeyId: expect.any(String) });
    await expect(mfa.redeem(mfa_token, { passkey: answer }, client)).rejects.toMatchObject({
      code: ErrorCode.InvalidMfaToken,
    });
  });

  it('counts a refused passkey toward the two-factor lockout, and audits it as a failed step', async () => {
    const lockout = moduleRef.get(TwoFactorLockoutService);
    const fail = jest.spyOn(lockout, 'fail');
    const release = jest.spyOn(lockout, 'release');
    const warn = jest.spyOn(moduleRef.get(AuditLog), 'warn');
    const { mfa_token } = await mfa.issue(ada, client);
    const wrongOrigin = key.assert(await challengeFor(mfa_token), {
      origin: 'https://evil.example',
    });
    await expect(mfa.redeem(mfa_token, { passkey: wrongOrigin }, client)).rejects.toMatchObject({
      code: ErrorCode.PasskeyRefused,
    });
    expect(fail).toHaveBeenCalledWith(ada);
    expect(warn).toHaveBeenCalledWith('mfa.failure', expect.objectContaining({ userId: ada }));
    // A challenge that is no longer there checked no factor: the attempt is taken back.
    fail.mockClear();
    await expect(
      mfa.redeem(mfa_token, { passkey: key.assert('bm90LWhhbmRlZC1vdXQ') }, client),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidPasskeyChallenge });
    expect(fail).not.toHaveBeenCalled();
    expect(release).toHaveBeenCalledWith(ada);
    // The mfa_token is still good for a right answer.
    await expect(
      mfa.redeem(mfa_token, { passkey: key.assert(await challengeFor(mfa_token)) }, client),
    ).resolves.toMatchObject({ userId: ada });
  });

  it("refuses options for a forged mfa_token, and an answer to another account's challenge", async () => {
    await expect(mfa.passkeyOptions('not-a-token')).rejects.toMatchObject({
      code: ErrorCode.InvalidMfaToken,
    });
    const bob = (
      await moduleRef.get(UsersService).create({ email: 'bob@example.com', passwordHash: 'x' })
    ).id;
    const { mfa_token } = await mfa.issue(bob, client);
    // Ada's challenge, answered by Ada's passkey, for Bob's login.
    const adaChallenge = (await moduleRef.get(PasskeyAuthentication).secondFactorOptions(ada))
      .challenge;
    await expect(
      mfa.redeem(mfa_token, { passkey: key.assert(adaChallenge) }, client),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidPasskeyChallenge });
  });

  it('takes one factor at a time', async () => {
    const { mfa_token } = await mfa.issue(ada, client);
    await expect(
      mfa.redeem(mfa_token, { passkey: {}, code: '123456' }, client),
    ).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
      details: ['send one of passkey, code or recovery_code'],
    });
  });
});
