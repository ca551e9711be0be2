import { TestingModule } from '@nestjs/testing';
import { SoftAuthenticator } from '../../test/support/soft-authenticator';
import { PASSKEY_ORIGIN, passkeysTestModule } from '../../test/support/unit';
import { ErrorCode } from '../common/errors/domain-error';
import { UsersService } from '../users/users.service';
import { PasskeyRegistration } from './passkey-registration.service';
import { MAX_PASSKEYS, PasskeysService } from './passkeys.service';

describe('PasskeyRegistration', () => {
  let moduleRef: TestingModule;
  let registration: PasskeyRegistration;
  let ada: { id: string; email: string };
  let bob: { id: string; email: string };

  const soft = () => new SoftAuthenticator('localhost', PASSKEY_ORIGIN);
  const register = async (owner: { id: string; email: string }, key = soft(), name?: string) => {
    const options = await registration.options(owner);
    return registration.verify(owner.id, key.register(options.challenge), name);
  };

  beforeEach(async () => {
    moduleRef = await passkeysTestModule();
    registration = moduleRef.get(PasskeyRegistration);
    const users = moduleRef.get(UsersService);
    ada = await users.create({ email: 'ada@example.com', passwordHash: 'x' });
    bob = await users.create({ email: 'bob@example.com', passwordHash: 'x' });
  });
  afterEach(() => moduleRef.close());

  it('asks for a discoverable credential with user verification, no attestation, the account id as handle', async () => {
    const options = await registration.options(ada);
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Gatehouse' },
      user: { name: 'ada@example.com', id: Buffer.from(ada.id).toString('base64url') },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    });
    const key = await register(ada);
    const again = await registration.options(ada);
    expect(again.excludeCredentials).toEqual([
      expect.objectContaining({ id: key.credentialId, transports: ['internal'] }),
    ]);
  });

  it('stores the verified credential: its key, counter, kind and name', async () => {
    const key = soft();
    const passkey = await register(ada, key, 'Laptop');
    expect(passkey).toMatchObject({
      userId: ada.id,
      credentialId: key.id,
      name: 'Laptop',
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
      transports: 'internal',
      aaguid: '00000000-0000-0000-0000-000000000000',
    });
    expect((await register(ada)).name).toBe('Device-bound passkey');
  });

  it("refuses a challenge of another account's, a reused one, a wrong origin and no user verification", async () => {
    const forBob = await registration.options(bob);
    await expect(
      registration.verify(ada.id, soft().register(forBob.challenge), undefined),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidPasskeyChallenge });
    // Spent by that attempt, even for Bob.
    await expect(
      registration.verify(bob.id, soft().register(forBob.challenge), undefined),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidPasskeyChallenge });
    for (const opts of [
      { origin: 'https://evil.example' },
      { userVerified: false },
      { rpId: 'example.com' },
    ]) {
      const { challenge } = await registration.options(ada);
      await expect(
        registration.verify(ada.id, soft().register(challenge, opts), undefined),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidPasskey });
    }
    expect(await moduleRef.get(PasskeysService).count(ada.id)).toBe(0);
  });

  it('binds a credential id to one account: the same credential for another is a conflict', async () => {
    const key = soft();
    await register(ada, key);
    await expect(register(bob, key)).rejects.toMatchObject({
      code: ErrorCode.PasskeyAlreadyRegistered,
    });
    await expect(register(ada, key)).rejects.toMatchObject({
      code: ErrorCode.PasskeyAlreadyRegistered,
    });
    expect(await moduleRef.get(PasskeysService).count(bob.id)).toBe(0);
  });

  it(`holds at most ${MAX_PASSKEYS} passkeys per account`, async () => {
    for (let i = 0; i < MAX_PASSKEYS; i++) await register(ada);
    await expect(registration.options(ada)).rejects.toMatchObject({
      code: ErrorCode.PasskeyLimitReached,
    });
  });

  it('refuses garbage as an answer without a 500', async () => {
    for (const garbage of [null, {}, { response: {} }, 'x']) {
      await expect(registration.verify(ada.id, garbage, undefined)).rejects.toMatchObject({
        code: ErrorCode.InvalidPasskeyChallenge,
      });
    }
    const { challenge } = await registration.options(ada);
    const answer = soft().register(challenge) as { response: Record<string, unknown> };
    answer.response.attestationObject = 'AAAA';
    await expect(registration.verify(ada.id, answer, undefined)).rejects.toMatchObject({
      code: ErrorCode.InvalidPasskey,
    });
  });
});
