import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { DataSource } from 'typeorm';
import { unitImports } from '../../../test/support/unit';
import { ErrorCode } from '../../common/errors/domain-error';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { UsersModule } from '../../users/users.module';
import { UsersService } from '../../users/users.service';
import { AccountModule } from '../account.module';
import { RecoveryCode } from '../entities/recovery-code.entity';
import { UserMfa } from '../entities/user-mfa.entity';
import { RECOVERY_CODE_COUNT, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { SecretBox } from './secret-box';
import { TOTP_PERIOD_SECONDS } from './totp';
import { TwoFactorService } from './two-factor.service';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/** What the user's authenticator app shows at `nowMs` for the base32 secret setup returned. */
const base32Decode = (secret: string) => Buffer.from(OTPAuth.Secret.fromBase32(secret).bytes);
const codeAt = (secret: string, nowMs = Date.now()) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: nowMs });

const normalized = (code: string) => {
  const n = normalizeRecoveryCode(code);
  if (n === undefined) throw new Error(`not a recovery code: ${code}`);
  return n;
};

describe('TwoFactorService', () => {
  let moduleRef: TestingModule;
  let service: TwoFactorService;
  let dataSource: DataSource;
  let ada: string;
  let bob: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), UsersModule, AccountModule],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(TwoFactorService);
    dataSource = moduleRef.get(DataSource);
    const users = moduleRef.get(UsersService);
    ada = (await users.create({ email: 'ada@example.com', passwordHash: 'x' })).id;
    bob = (await users.create({ email: 'bob@example.com', passwordHash: 'x' })).id;
  });
  afterEach(() => moduleRef.close());

  /** Setup then enable: the base32 secret and the recovery codes. */
  async function enableFor(userId: string, label = 'someone@example.com') {
    const { secret } = await service.setup(userId, label);
    const recoveryCodes = await service.enable(userId, codeAt(secret));
    return { secret, recoveryCodes };
  }

  describe('setup', () => {
    it('survives concurrent setups: one pending row, whose secret is one of the answers', async () => {
      const setups = await Promise.all(
        [1, 2, 3, 4].map(() => service.setup(ada, 'ada@example.com')),
      );
      expect(await dataSource.getRepository(UserMfa).countBy({ userId: ada })).toBe(1);
      const enabledWith = [];
      for (const { secret } of setups) {
        enabledWith.push(
          await service.enable(ada, codeAt(secret)).then(
            () => secret,
            () => undefined,
          ),
        );
        if (enabledWith.at(-1)) break;
      }
      expect(enabledWith.filter(Boolean)).toHaveLength(1);
    });

    it('never turns an enabled authenticator back into a pending one', async () => {
      await enableFor(ada);
      await expect(service.setup(ada, 'ada@example.com')).rejects.toMatchObject({
        code: ErrorCode.TwoFactorAlreadyEnabled,
      });
      await expect(service.isEnabled(ada)).resolves.toBe(true);
    });

    it('returns a base32 secret, its otpauth URI and a PNG QR code, and leaves two-factor off', async () => {
      const setup = await service.setup(ada, 'ada@example.com');

      // 20 bytes (160 bits, RFC 4226's recommendation) are 32 unpadded base32 characters.
      expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(base32Decode(setup.secret)).toHaveLength(20);

      const otp = OTPAuth.URI.parse(setup.otpauthUri);
      expect(otp).toBeInstanceOf(OTPAuth.TOTP);
      expect(otp).toMatchObject({
        issuer: 'Gatehouse',
        label: 'ada@example.com',
        digits: 6,
        period: 30,
      });
      expect(otp.secret.base32).toBe(setup.secret);

      const [prefix, png] = setup.qrCode.split(',');
      expect(prefix).toBe('data:image/png;base64');
      expect(Buffer.from(png, 'base64').subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );

      await expect(service.isEnabled(ada)).resolves.toBe(false);
      await expect(service.status(ada)).resolves.toEqual({
        enabled: false,
        enabledAt: null,
        recoveryCodesLeft: 0,
      });
    });

    it('stores the secret sealed: not as base32, hex or base64, and openable only with the key and for the user', async () => {
      const { secret } = await service.setup(ada, 'ada@example.com');
      const raw = base32Decode(secret);
      const [{ secret: stored }] = await dataSource.query<{ secret: string }[]>(
        'SELECT secret FROM user_mfa WHERE user_id = ?',
        [ada],
      );

      for (const form of [
        secret,
        secret.toLowerCase(),
        raw.toString('hex'),
        raw.toString('base64'),
        raw.toString('base64url'),
        raw.toString('latin1'),
      ]) {
        expect(stored).not.toContain(form);
      }

      const key = moduleRef.get(GatehouseConfig).get('account').mfa.encryptionKey();
      expect(new SecretBox(key).open(stored, ada).equals(raw)).toBe(true);
      expect(() => new SecretBox(randomBytes(32)).open(stored, ada)).toThrow();
      // Bound to the user: the sealed value copied onto another account's row is useless there.
      expect(() => new SecretBox(key).open(stored, bob)).toThrow();
    });

    it('replaces a pending secret on a second setup: only the newest one enables', async () => {
      const first = await service.setup(ada, 'ada@example.com');
      const second = await service.setup(ada, 'ada@example.com');
      expect(second.secret).not.toBe(first.secret);
      expect(await dataSource.getRepository(UserMfa).countBy({ userId: ada })).toBe(1);

      await expect(service.enable(ada, codeAt(first.secret))).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.enable(ada, codeAt(second.secret))).resolves.toHaveLength(
        RECOVERY_CODE_COUNT,
      );
    });

    it('refuses a new setup once two-factor is on, and keeps the secret in force', async () => {
      const { secret } = await enableFor(ada);
      await expect(service.setup(ada, 'ada@example.com')).rejects.toMatchObject({
        code: ErrorCode.TwoFactorAlreadyEnabled,
      });
      await expect(service.consume(ada, { code: codeAt(secret) })).resolves.toBe('totp');
    });
  });

  describe('enable', () => {
    it('refuses a wrong code and leaves two-factor off', async () => {
      const { secret } = await service.setup(ada, 'ada@example.com');
      const right = codeAt(secret);
      const wrong = right === '000000' ? '000001' : '000000';
      await expect(service.enable(ada, wrong)).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.enable(ada, 'abcdef')).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.isEnabled(ada)).resolves.toBe(false);
      expect(await dataSource.getRepository(RecoveryCode).countBy({ userId: ada })).toBe(0);
    });

    it('turns two-factor on with the current code and returns ten distinct recovery codes', async () => {
      const { secret } = await service.setup(ada, 'ada@example.com');
      const codes = await service.enable(ada, codeAt(secret));

      expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
      expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
      for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
      await expect(service.isEnabled(ada)).resolves.toBe(true);
      await expect(service.status(ada)).resolves.toEqual({
        enabled: true,
        enabledAt: expect.any(Date),
        recoveryCodesLeft: RECOVERY_CODE_COUNT,
      });
    });

    it('accepts the code an app with a clock one step behind still shows', async () => {
      const { secret } = await service.setup(ada, 'ada@example.com');
      await expect(service.enable(ada, codeAt(secret, Date.now() - STEP_MS))).resolves.toHaveLength(
        RECOVERY_CODE_COUNT,
      );
    });

    it('refuses to enable twice', async () => {
      const { secret } = await enableFor(ada);
      await expect(service.enable(ada, codeAt(secret))).rejects.toMatchObject({
        code: ErrorCode.TwoFactorAlreadyEnabled,
      });
    });

    it('refuses to enable without a setup', async () => {
      await expect(service.enable(ada, '123456')).rejects.toMatchObject({
        code: ErrorCode.TwoFactorNotSetUp,
      });
    });

    it('does not spend the code it was enabled with: that code still signs in, once', async () => {
      // Deliberate (see enable): the user may log in straight away rather than wait for the next code.
      const { secret } = await service.setup(ada, 'ada@example.com');
      const now = Date.now();
      const code = codeAt(secret, now);
      await service.enable(ada, code);
      await expect(service.consume(ada, { code }, now)).resolves.toBe('totp');
      await expect(service.consume(ada, { code }, now)).resolves.toBeUndefined();
    });
  });

  describe('consume with a TOTP code', () => {
    it('accepts a code once per time step: the same code again is a replay', async () => {
      const { secret } = await enableFor(ada);
      const now = Date.now() + 10 * STEP_MS; // clear of the step the enable code came from
      await expect(service.consume(ada, { code: codeAt(secret, now) }, now)).resolves.toBe('totp');
      await expect(
        service.consume(ada, { code: codeAt(secret, now) }, now),
      ).resolves.toBeUndefined();
      await expect(
        service.consume(ada, { code: codeAt(secret, now) }, now + 1_000),
      ).resolves.toBeUndefined();
    });

    it("accepts the next step's code after a used one, and no earlier code after that", async () => {
      const { secret } = await enableFor(ada);
      const now = Date.now() + 10 * STEP_MS;
      await expect(service.consume(ada, { code: codeAt(secret, now) }, now)).resolves.toBe('totp');
      const next = now + STEP_MS;
      await expect(service.consume(ada, { code: codeAt(secret, next) }, next)).resolves.toBe(
        'totp',
      );
      // Still inside the drift window at `next`, but at or before the last step accepted.
      await expect(
        service.consume(ada, { code: codeAt(secret, now) }, next),
      ).resolves.toBeUndefined();
    });

    it('accepts a code one step old (clock drift) and refuses one two steps old', async () => {
      const { secret } = await enableFor(ada);
      const now = Date.now() + 10 * STEP_MS;
      await expect(
        service.consume(ada, { code: codeAt(secret, now - 2 * STEP_MS) }, now),
      ).resolves.toBeUndefined();
      await expect(
        service.consume(ada, { code: codeAt(secret, now - STEP_MS) }, now),
      ).resolves.toBe('totp');
    });

    it('lets one of two concurrent uses of a code succeed', async () => {
      const { secret } = await enableFor(ada);
      const now = Date.now() + 10 * STEP_MS;
      const code = codeAt(secret, now);
      const results = await Promise.all([
        service.consume(ada, { code }, now),
        service.consume(ada, { code }, now),
      ]);
      expect(results.filter((r) => r === 'totp')).toHaveLength(1);
    });

    it('refuses codes while two-factor is only set up, not enabled', async () => {
      const { secret } = await service.setup(ada, 'ada@example.com');
      await expect(service.consume(ada, { code: codeAt(secret) })).resolves.toBeUndefined();
    });

    it("refuses one user's code for another user", async () => {
      const { secret } = await enableFor(ada);
      await enableFor(bob);
      await expect(service.consume(bob, { code: codeAt(secret) })).resolves.toBeUndefined();
    });

    it('answers undefined for a factor with neither a code nor a recovery code', async () => {
      await enableFor(ada);
      await expect(service.consume(ada, {})).resolves.toBeUndefined();
    });
  });

  describe('consume with a recovery code', () => {
    it('accepts each recovery code once and counts what is left', async () => {
      const { recoveryCodes } = await enableFor(ada);
      await expect(service.consume(ada, { recoveryCode: recoveryCodes[0] })).resolves.toBe(
        'recovery_code',
      );
      await expect(
        service.consume(ada, { recoveryCode: recoveryCodes[0] }),
      ).resolves.toBeUndefined();
      await expect(service.consume(ada, { recoveryCode: recoveryCodes[1] })).resolves.toBe(
        'recovery_code',
      );
      await expect(service.status(ada)).resolves.toMatchObject({
        recoveryCodesLeft: RECOVERY_CODE_COUNT - 2,
      });
    });

    it('accepts a code typed in upper case with spaces instead of dashes', async () => {
      const { recoveryCodes } = await enableFor(ada);
      const typed = ` ${recoveryCodes[3].toUpperCase().replace(/-/g, ' ')} `;
      await expect(service.consume(ada, { recoveryCode: typed })).resolves.toBe('recovery_code');
      await expect(
        service.consume(ada, { recoveryCode: recoveryCodes[3] }),
      ).resolves.toBeUndefined();
    });

    it("refuses an unknown, a malformed and another user's recovery code", async () => {
      await enableFor(ada);
      const bobs = await enableFor(bob);
      await expect(
        service.consume(ada, { recoveryCode: '0000-0000-0000' }),
      ).resolves.toBeUndefined();
      await expect(service.consume(ada, { recoveryCode: 'not a code' })).resolves.toBeUndefined();
      await expect(service.consume(ada, { recoveryCode: '' })).resolves.toBeUndefined();
      await expect(
        service.consume(ada, { recoveryCode: bobs.recoveryCodes[0] }),
      ).resolves.toBeUndefined();
      await expect(service.status(bob)).resolves.toMatchObject({
        recoveryCodesLeft: RECOVERY_CODE_COUNT,
      });
    });

    it('stores recovery codes hashed and salted with the user id', async () => {
      const { recoveryCodes } = await enableFor(ada);
      const rows = await dataSource.getRepository(RecoveryCode).findBy({ userId: ada });
      const stored = rows.map((r) => r.codeHash).sort();

      expect(stored).toEqual(recoveryCodes.map((c) => hashRecoveryCode(normalized(c), ada)).sort());
      for (const code of recoveryCodes) {
        expect(stored).not.toContain(normalized(code));
        expect(stored).not.toContain(code);
        // The same code string hashes differently for another user: one guess, one account.
        expect(stored).not.toContain(hashRecoveryCode(normalized(code), bob));
      }
    });

    it('replaces the recovery codes when two-factor is turned off and on again', async () => {
      const first = await enableFor(ada);
      await service.disable(ada, { recoveryCode: first.recoveryCodes[0] });
      const second = await enableFor(ada);
      await expect(
        service.consume(ada, { recoveryCode: first.recoveryCodes[1] }),
      ).resolves.toBeUndefined();
      await expect(service.consume(ada, { recoveryCode: second.recoveryCodes[1] })).resolves.toBe(
        'recovery_code',
      );
    });
  });

  describe('a secret that no longer opens (MFA_ENCRYPTION_KEY changed)', () => {
    it('answers 503 TWO_FACTOR_UNAVAILABLE for codes, logs it for the operator, and still takes recovery codes', async () => {
      const { secret, recoveryCodes } = await enableFor(ada);
      // Sealed under another key: what the rows look like after the key was replaced.
      const foreign = new SecretBox(randomBytes(32)).seal(base32Decode(secret), ada);
      await dataSource.getRepository(UserMfa).update({ userId: ada }, { secret: foreign });
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await expect(service.consume(ada, { code: codeAt(secret) })).rejects.toMatchObject({
          code: ErrorCode.TwoFactorUnavailable,
          status: 503,
        });
        expect(error).toHaveBeenCalledWith(expect.stringContaining('MFA_ENCRYPTION_KEY'));
        expect(JSON.stringify(error.mock.calls)).not.toContain(secret);
      } finally {
        error.mockRestore();
      }
      await expect(service.consume(ada, { recoveryCode: recoveryCodes[0] })).resolves.toBe(
        'recovery_code',
      );
    });
  });

  describe('remove', () => {
    it('drops the authenticator and the codes of one user, and says whether there was one', async () => {
      await enableFor(ada);
      await enableFor(bob);
      await expect(service.remove(ada)).resolves.toBe(true);
      await expect(service.remove(ada)).resolves.toBe(false);
      await expect(service.isEnabled(ada)).resolves.toBe(false);
      await expect(service.isEnabled(bob)).resolves.toBe(true);
      expect(await dataSource.getRepository(RecoveryCode).countBy({ userId: ada })).toBe(0);
      expect(await dataSource.getRepository(RecoveryCode).countBy({ userId: bob })).toBe(10);
    });
  });

  describe('disable', () => {
    it('with a current code removes the authenticator and every recovery code', async () => {
      const { secret } = await enableFor(ada);
      await enableFor(bob);
      await service.disable(ada, { code: codeAt(secret) });

      await expect(service.isEnabled(ada)).resolves.toBe(false);
      await expect(service.status(ada)).resolves.toEqual({
        enabled: false,
        enabledAt: null,
        recoveryCodesLeft: 0,
      });
      expect(await dataSource.getRepository(UserMfa).countBy({ userId: ada })).toBe(0);
      expect(await dataSource.getRepository(RecoveryCode).countBy({ userId: ada })).toBe(0);
      // Nobody else's.
      await expect(service.status(bob)).resolves.toMatchObject({
        enabled: true,
        recoveryCodesLeft: RECOVERY_CODE_COUNT,
      });
    });

    it('with a recovery code turns two-factor off too', async () => {
      const { recoveryCodes } = await enableFor(ada);
      await service.disable(ada, { recoveryCode: recoveryCodes[9] });
      await expect(service.isEnabled(ada)).resolves.toBe(false);
    });

    it('refuses a wrong code and stays enabled', async () => {
      const { secret } = await enableFor(ada);
      const right = codeAt(secret);
      const wrong = right === '999999' ? '999998' : '999999';
      await expect(service.disable(ada, { code: wrong })).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.disable(ada, { recoveryCode: '0000-0000-0000' })).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.status(ada)).resolves.toMatchObject({
        enabled: true,
        recoveryCodesLeft: RECOVERY_CODE_COUNT,
      });
    });

    it('refuses a code already used to sign in', async () => {
      const { secret } = await enableFor(ada);
      const code = codeAt(secret);
      await expect(service.consume(ada, { code })).resolves.toBe('totp');
      await expect(service.disable(ada, { code })).rejects.toMatchObject({
        code: ErrorCode.WrongTwoFactorCode,
      });
      await expect(service.isEnabled(ada)).resolves.toBe(true);
    });

    it('refuses when two-factor is off, set up or not', async () => {
      await expect(service.disable(ada, { code: '123456' })).rejects.toMatchObject({
        code: ErrorCode.TwoFactorNotEnabled,
      });
      const { secret } = await service.setup(ada, 'ada@example.com');
      await expect(service.disable(ada, { code: codeAt(secret) })).rejects.toMatchObject({
        code: ErrorCode.TwoFactorNotEnabled,
      });
    });
  });
});
