import { Test, TestingModule } from '@nestjs/testing';
import { DataSource, Repository } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { AccountModule } from './account.module';
import { OneTimeToken, OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { IssueOptions, OneTimeTokensService, hashOneTimeToken } from './one-time-tokens.service';

const HOUR = 3600;
const { EmailVerification, PasswordReset, MfaLogin } = OneTimeTokenPurpose;

describe('OneTimeTokensService', () => {
  let moduleRef: TestingModule;
  let service: OneTimeTokensService;
  let rows: Repository<OneTimeToken>;
  let ada: string;
  let bob: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), UsersModule, AccountModule],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(OneTimeTokensService);
    rows = moduleRef.get(DataSource).getRepository(OneTimeToken);
    const users = moduleRef.get(UsersService);
    ada = (await users.create({ email: 'ada@example.com', passwordHash: 'x' })).id;
    bob = (await users.create({ email: 'bob@example.com', passwordHash: 'x' })).id;
  });
  afterEach(() => moduleRef.close());

  /** issue() returns undefined only under a cooldown; these calls have none. */
  async function issue(
    userId: string,
    purpose: OneTimeTokenPurpose,
    options?: IssueOptions,
    now?: number,
  ): Promise<string> {
    const token = await service.issue(userId, purpose, HOUR, options, now);
    if (token === undefined) throw new Error('issue() unexpectedly held back by its cooldown');
    return token;
  }

  it('issues a 43-character base64url token (32 random bytes) and a different one each time', async () => {
    const a = await issue(ada, EmailVerification, { exclusive: false });
    const b = await issue(ada, EmailVerification, { exclusive: false });
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(b).not.toBe(a);
  });

  it('stores only the SHA-256 of the token, in no column the token itself', async () => {
    const now = Date.now();
    const token = await issue(ada, PasswordReset, {}, now);
    const stored = await rows.findOneByOrFail({ userId: ada });
    expect(stored).toMatchObject({
      tokenHash: hashOneTimeToken(token),
      purpose: PasswordReset,
      usedAt: null,
    });
    expect(stored.tokenHash).not.toBe(token);
    expect(stored.expiresAt.getTime()).toBe(now + HOUR * 1000);
    // The raw row, as a backup or a replica would hold it: no value is (or contains) the token.
    const [raw] = await moduleRef
      .get(DataSource)
      .query<Record<string, unknown>[]>('SELECT * FROM one_time_tokens');
    expect(raw.token_hash).toBe(hashOneTimeToken(token));
    for (const value of Object.values(raw)) expect(String(value)).not.toContain(token);
  });

  it('spends a token once: the second consume finds nothing', async () => {
    const token = await issue(ada, EmailVerification);
    await expect(service.consume(token, EmailVerification)).resolves.toMatchObject({
      userId: ada,
      purpose: EmailVerification,
      usedAt: expect.any(Date),
    });
    await expect(service.consume(token, EmailVerification)).resolves.toBeUndefined();
    await expect(service.peek(token, EmailVerification)).resolves.toBeUndefined();
  });

  it('lets exactly one of two concurrent consumes of the same token succeed', async () => {
    const token = await issue(ada, PasswordReset);
    const results = await Promise.all([
      service.consume(token, PasswordReset),
      service.consume(token, PasswordReset),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await rows.countBy({ userId: ada })).toBe(1);
  });

  it('refuses a token for any purpose but its own, and leaves it spendable for its own', async () => {
    const token = await issue(ada, EmailVerification);
    await expect(service.consume(token, PasswordReset)).resolves.toBeUndefined();
    await expect(service.consume(token, MfaLogin)).resolves.toBeUndefined();
    await expect(service.consume(token, EmailVerification)).resolves.toBeDefined();
  });

  it('refuses a token at and after its expiry, and accepts it a millisecond before', async () => {
    const now = Date.now();
    const token = await service.issue(ada, PasswordReset, 60, {}, now);
    if (!token) throw new Error('no token');
    await expect(service.peek(token, PasswordReset, now + 60_000)).resolves.toBeUndefined();
    await expect(service.consume(token, PasswordReset, now + 60_001)).resolves.toBeUndefined();
    await expect(service.consume(token, PasswordReset, now + 59_999)).resolves.toBeDefined();
  });

  it("voids the user's unspent token of the same purpose on an exclusive issue, not other purposes or users", async () => {
    const oldReset = await issue(ada, PasswordReset);
    const verification = await issue(ada, EmailVerification);
    const bobsReset = await issue(bob, PasswordReset);

    const newReset = await issue(ada, PasswordReset); // exclusive is the default

    await expect(service.consume(oldReset, PasswordReset)).resolves.toBeUndefined();
    await expect(service.consume(newReset, PasswordReset)).resolves.toBeDefined();
    await expect(service.consume(verification, EmailVerification)).resolves.toBeDefined();
    await expect(service.consume(bobsReset, PasswordReset)).resolves.toBeDefined();
  });

  it('keeps earlier tokens spendable on a non-exclusive issue', async () => {
    const first = await issue(ada, MfaLogin, { exclusive: false });
    const second = await issue(ada, MfaLogin, { exclusive: false });
    await expect(service.consume(first, MfaLogin)).resolves.toBeDefined();
    await expect(service.consume(second, MfaLogin)).resolves.toBeDefined();
  });

  it('issues nothing within the cooldown after an unspent token, and a token once it has passed', async () => {
    const t0 = Date.now();
    const first = await service.issue(ada, EmailVerification, HOUR, { cooldownSeconds: 60 }, t0);
    expect(first).toBeDefined();
    await expect(
      service.issue(ada, EmailVerification, HOUR, { cooldownSeconds: 60 }, t0 + 59_000),
    ).resolves.toBeUndefined();
    // Held back means nothing happened: the first link still works.
    expect(await rows.countBy({ userId: ada })).toBe(1);

    const later = await service.issue(
      ada,
      EmailVerification,
      HOUR,
      { cooldownSeconds: 60 },
      t0 + 61_000,
    );
    expect(later).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('applies the cooldown per user and per purpose', async () => {
    const t0 = Date.now();
    await service.issue(ada, EmailVerification, HOUR, { cooldownSeconds: 60 }, t0);
    await expect(
      service.issue(bob, EmailVerification, HOUR, { cooldownSeconds: 60 }, t0 + 1_000),
    ).resolves.toBeDefined();
    await expect(
      service.issue(ada, PasswordReset, HOUR, { cooldownSeconds: 60 }, t0 + 1_000),
    ).resolves.toBeDefined();
  });

  it('voids every unspent token of a user, or of the given purposes only, and counts them', async () => {
    const reset = await issue(ada, PasswordReset);
    const verification = await issue(ada, EmailVerification);
    const mfa = await issue(ada, MfaLogin);
    const bobs = await issue(bob, PasswordReset);

    await expect(service.voidUnspent(ada, [MfaLogin])).resolves.toBe(1);
    await expect(service.consume(mfa, MfaLogin)).resolves.toBeUndefined();
    await expect(service.peek(reset, PasswordReset)).resolves.toBeDefined();

    await expect(service.voidUnspent(ada)).resolves.toBe(2);
    await expect(service.consume(reset, PasswordReset)).resolves.toBeUndefined();
    await expect(service.consume(verification, EmailVerification)).resolves.toBeUndefined();
    await expect(service.consume(bobs, PasswordReset)).resolves.toBeDefined();
    await expect(service.voidUnspent(ada)).resolves.toBe(0);
  });

  it.each([
    ['an empty string', ''],
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['base64 padding and symbols', `${'A'.repeat(41)}+/`],
    ['a well-formed but unknown token', 'A'.repeat(43)],
    ['a number', 12345],
    ['null', null],
    ['undefined', undefined],
    ['an object', { token: 'A'.repeat(43) }],
    ['an array', ['A'.repeat(43)]],
  ])('answers undefined, without throwing, for %s', async (_label, input) => {
    await issue(ada, PasswordReset);
    // Request bodies are not always what the DTO says: the service must cope on its own.
    const token = input as unknown as string;
    await expect(service.peek(token, PasswordReset)).resolves.toBeUndefined();
    await expect(service.consume(token, PasswordReset)).resolves.toBeUndefined();
  });

  it("does not take a token's hash for the token", async () => {
    const token = await issue(ada, PasswordReset);
    // The hash is itself 43 base64url characters: whoever reads the table must not spend it.
    await expect(service.consume(hashOneTimeToken(token), PasswordReset)).resolves.toBeUndefined();
    await expect(service.consume(token, PasswordReset)).resolves.toBeDefined();
  });
});
