import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { SoftAuthenticator } from '../../test/support/soft-authenticator';
import {
  PASSKEY_ORIGIN as ORIGIN,
  passkeysTestModule as passkeysModule,
} from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { ErrorCode } from '../common/errors/domain-error';
import { UsersService } from '../users/users.service';
import { PasskeyChallenge, PasskeyChallengePurpose } from './entities/passkey-challenge.entity';
import { Passkey } from './entities/passkey.entity';
import { PasskeyAuthentication } from './passkey-authentication.service';
import { PasskeyRegistration } from './passkey-registration.service';

const client = { ip: '203.0.113.9', userAgent: 'spec' };

describe('PasskeyAuthentication', () => {
  let moduleRef: TestingModule;
  let auth: PasskeyAuthentication;
  let audit: jest.SpyInstance;
  let ada: string;
  let bob: string;
  let adaKey: SoftAuthenticator;
  let bobKey: SoftAuthenticator;

  /** Registers a soft authenticator for the user through the real ceremony. */
  async function enrol(userId: string): Promise<SoftAuthenticator> {
    const registration = moduleRef.get(PasskeyRegistration);
    const key = new SoftAuthenticator('localhost', ORIGIN);
    const options = await registration.options({ id: userId, email: `${userId}@example.com` });
    await registration.verify(userId, key.register(options.challenge), 'soft');
    return key;
  }

  const challenge = async (account?: string | null) =>
    (await auth.signInOptions(account)).challenge;
  const refusal = (code: ErrorCode, reason?: string | RegExp) =>
    expect.objectContaining({
      code,
      ...(reason ? { internalReason: expect.stringMatching(reason) as unknown } : {}),
    });

  beforeEach(async () => {
    moduleRef = await passkeysModule();
    auth = moduleRef.get(PasskeyAuthentication);
    audit = jest.spyOn(moduleRef.get(AuditLog), 'warn');
    const users = moduleRef.get(UsersService);
    ada = (await users.create({ email: 'ada@example.com', passwordHash: 'x' })).id;
    bob = (await users.create({ email: 'bob@example.com', passwordHash: 'x' })).id;
    adaKey = await enrol(ada);
    bobKey = await enrol(bob);
  });
  afterEach(() => moduleRef.close());

  it('accepts an answer to its challenge, and records the counter and the use', async () => {
    const passkey = await auth.verify(
      adaKey.assert(await challenge(), { userHandle: ada }),
      PasskeyChallengePurpose.SignIn,
      client,
    );
    expect(passkey).toMatchObject({ userId: ada, counter: 1 });
    const row = await moduleRef
      .get(DataSource)
      .getRepository(Passkey)
      .findOneBy({ id: passkey.id });
    expect(row).toMatchObject({ counter: 1 });
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('lists no credential in sign-in options, known address or not', async () => {
    for (const account of [undefined, ada, null]) {
      const options = await auth.signInOptions(account);
      expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
      expect(options.allowCredentials).toEqual([]);
    }
  });

  it('spends the challenge: the same answer twice succeeds once, even at once', async () => {
    const answer = adaKey.assert(await challenge());
    const results = await Promise.allSettled([
      auth.verify(answer, PasskeyChallengePurpose.SignIn, client),
      auth.verify(answer, PasskeyChallengePurpose.SignIn, client),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: refusal(ErrorCode.InvalidPasskeyChallenge),
    });
  });

  it('refuses a challenge it never handed out, one for another purpose, and an expired one', async () => {
    await expect(
      auth.verify(adaKey.assert('bm90LW91cnM'), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.InvalidPasskeyChallenge));
    const secondFactor = (await auth.secondFactorOptions(ada)).challenge;
    await expect(
      auth.verify(adaKey.assert(secondFactor), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.InvalidPasskeyChallenge));
    // Still there for its own purpose.
    await expect(
      auth.verify(adaKey.assert(secondFactor), PasskeyChallengePurpose.SecondFactor, client, ada),
    ).resolves.toMatchObject({ userId: ada });
    const stale = await challenge();
    await moduleRef
      .get(DataSource)
      .createQueryBuilder()
      .update(PasskeyChallenge)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .execute();
    await expect(
      auth.verify(adaKey.assert(stale), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.InvalidPasskeyChallenge));
  });

  it('refuses a wrong origin, a wrong RP id and an answer without user verification', async () => {
    for (const opts of [
      { origin: 'https://evil.example' },
      { rpId: 'example.com' },
      { userVerified: false },
    ]) {
      await expect(
        auth.verify(adaKey.assert(await challenge(), opts), PasskeyChallengePurpose.SignIn, client),
      ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused));
    }
    expect(audit).toHaveBeenCalledWith(
      'passkey.failure',
      expect.objectContaining({ userId: ada, reason: expect.stringMatching(/origin/i) as unknown }),
    );
  });

  it("refuses another account's passkey where the challenge names an account", async () => {
    await expect(
      auth.verify(bobKey.assert(await challenge(ada)), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /another account/));
    await expect(
      auth.verify(bobKey.assert(await challenge(null)), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /another account/));
    const forAda = (await auth.secondFactorOptions(ada)).challenge;
    await expect(
      auth.verify(bobKey.assert(forAda), PasskeyChallengePurpose.SecondFactor, client, ada),
    ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /another account/));
    // A second-factor challenge of Ada's, presented for Bob's step.
    const adaChallenge = (await auth.secondFactorOptions(ada)).challenge;
    await expect(
      auth.verify(bobKey.assert(adaChallenge), PasskeyChallengePurpose.SecondFactor, client, bob),
    ).rejects.toEqual(refusal(ErrorCode.InvalidPasskeyChallenge, /another account/));
  });

  it("refuses a user handle that is not the passkey's account", async () => {
    await expect(
      auth.verify(
        adaKey.assert(await challenge(), { userHandle: bob }),
        PasskeyChallengePurpose.SignIn,
        client,
      ),
    ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /user handle/));
  });

  it('refuses a counter that does not move forward (a clone), and audits it', async () => {
    await auth.verify(
      adaKey.assert(await challenge(), { counter: 5 }),
      PasskeyChallengePurpose.SignIn,
      client,
    );
    for (const counter of [5, 3]) {
      await expect(
        auth.verify(
          adaKey.assert(await challenge(), { counter }),
          PasskeyChallengePurpose.SignIn,
          client,
        ),
      ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /counter/));
    }
    expect(audit).toHaveBeenCalledWith(
      'passkey.counter_regressed',
      expect.objectContaining({ userId: ada, storedCounter: 5, presentedCounter: 3 }),
    );
    // The genuine device, further along, still signs in.
    await expect(
      auth.verify(
        adaKey.assert(await challenge(), { counter: 6 }),
        PasskeyChallengePurpose.SignIn,
        client,
      ),
    ).resolves.toMatchObject({ counter: 6 });
  });

  it('accepts a counter that stays at 0 for an authenticator that keeps none', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(
        auth.verify(
          adaKey.assert(await challenge(), { counter: 0 }),
          PasskeyChallengePurpose.SignIn,
          client,
        ),
      ).resolves.toMatchObject({ counter: 0 });
    }
  });

  it('refuses an unknown credential and garbage alike, without a 500', async () => {
    const stranger = new SoftAuthenticator('localhost', ORIGIN);
    await expect(
      auth.verify(stranger.assert(await challenge()), PasskeyChallengePurpose.SignIn, client),
    ).rejects.toEqual(refusal(ErrorCode.PasskeyRefused, /unknown credential/));
    for (const garbage of [null, 'x', { response: { clientDataJSON: '!!' } }, { response: 3 }]) {
      await expect(auth.verify(garbage, PasskeyChallengePurpose.SignIn, client)).rejects.toEqual(
        refusal(ErrorCode.InvalidPasskeyChallenge),
      );
    }
    const answer = adaKey.assert(await challenge()) as { response: Record<string, unknown> };
    answer.response.signature = 'AAAA';
    await expect(auth.verify(answer, PasskeyChallengePurpose.SignIn, client)).rejects.toEqual(
      refusal(ErrorCode.PasskeyRefused),
    );
  });

  it('asks second-factor options of an account with a passkey only', async () => {
    const users = moduleRef.get(UsersService);
    const carol = (await users.create({ email: 'carol@example.com', passwordHash: 'x' })).id;
    await expect(auth.secondFactorOptions(carol)).rejects.toEqual(
      refusal(ErrorCode.PasskeyRefused),
    );
    const options = await auth.secondFactorOptions(ada);
    expect(options.allowCredentials).toEqual([
      expect.objectContaining({ id: adaKey.id, transports: ['internal'] }),
    ]);
  });
});

describe('PasskeyAuthentication with passkeys off', () => {
  it('refuses every ceremony with 404', async () => {
    const moduleRef = await passkeysModule({ PASSKEYS: 'false' });
    try {
      const auth = moduleRef.get(PasskeyAuthentication);
      await expect(auth.secondFactorOptions('x')).rejects.toMatchObject({
        code: ErrorCode.NotFound,
      });
      await expect(
        auth.verify({}, PasskeyChallengePurpose.SecondFactor, client, 'x'),
      ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    } finally {
      await moduleRef.close();
    }
  });
});
