import { simpleParser } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import {
  DatabaseKind,
  TestDatabase,
  createTestDatabase,
  databaseKinds,
  redisEnvFor,
} from './support/databases';
import { RunningApp, buildAppOnce, startApp, waitFor } from './support/processes';

interface LogLine {
  level: string;
  msg?: string;
  audit?: string;
  [field: string]: unknown;
}

/**
 * The account lifecycle in a real process without SMTP_URL, as `npm start` runs in development:
 * each mail is an .eml file in DATA_DIR/outbox named by a log line, and neither the links' tokens
 * nor the TOTP secret, the mfa_token, the recovery codes or the address reach the log.
 */
describe.each(databaseKinds())('account lifecycle logs and outbox on %s', (kind: DatabaseKind) => {
  const email = `outbox-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const newPassword = `new-${password}`;
  let db: TestDatabase;
  let app: RunningApp;
  const secrets: Record<string, string> = { email, password, newPassword };

  const call = async (path: string, body: object, token?: string) => {
    const res = await fetch(app.base + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const lines = (): LogLine[] =>
    app
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  const outbox = () => join(app.dataDir, 'outbox');
  const mailFiles = () =>
    (existsSync(outbox()) ? readdirSync(outbox()) : []).filter((f) => f.endsWith('.eml')).sort();

  /** The next .eml file the app writes, parsed, with the token of its link. */
  async function nextMail(after: number) {
    await waitFor(() => Promise.resolve(mailFiles().length > after), 5000, 'a mail in the outbox');
    const file = join(outbox(), mailFiles()[after]);
    const mail = await simpleParser(readFileSync(file));
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
    return { file, mail, token };
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    app = await startApp(buildAppOnce(), {
      ...redisEnvFor(kind),
      NODE_ENV: 'development',
      DATABASE_URL: db.url,
      JWT_SECRET: randomBytes(48).toString('hex'),
      BCRYPT_COST: '4',
      TOKEN_CLEANUP_INTERVAL: '0',
      LOG_LEVEL: 'debug',
      APP_URL: 'https://app.example.test',
      MAIL_RESEND_INTERVAL: '0',
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('writes each mail as an .eml file that a log line names, and runs the lifecycle from them', async () => {
    expect((await call('/auth/register', { email, password })).status).toBe(201);
    const verification = await nextMail(0);
    expect(verification.mail.subject).toMatch(/confirm/i);
    expect(verification.mail.to).toMatchObject({ text: email });
    expect(statSync(verification.file).mode & 0o777).toBe(0o600);
    expect(verification.token).toBeDefined();
    secrets.verificationToken = verification.token as string;
    await waitFor(
      () => Promise.resolve(lines().some((l) => l.msg?.includes(verification.file))),
      5000,
      'the log line naming the file',
    );
    expect((await call('/auth/email/verify', { token: verification.token })).status).toBe(204);

    expect((await call('/auth/password/forgot', { email })).status).toBe(202);
    const reset = await nextMail(1);
    secrets.resetToken = reset.token as string;
    expect(
      (await call('/auth/password/reset', { token: reset.token, password: newPassword })).status,
    ).toBe(204);
    const changed = await nextMail(2);
    expect(changed.mail.subject).toMatch(/password was changed/i);

    const login = await call('/auth/login', { email, password: newPassword });
    const access = login.body.access_token as string;
    secrets.access = access;
    const setup = await call('/auth/2fa/setup', {}, access);
    expect(setup.status).toBe(201);
    const totp = OTPAuth.URI.parse(setup.body.otpauth_uri as string) as OTPAuth.TOTP;
    secrets.totpSecret = setup.body.secret as string;
    secrets.otpauthUri = setup.body.otpauth_uri as string;
    const enabled = await call('/auth/2fa/enable', { code: totp.generate() }, access);
    const recovery = enabled.body.recovery_codes as string[];
    recovery.forEach((code, i) => (secrets[`recovery${i}`] = code));
    const step = await call('/auth/login', { email, password: newPassword });
    secrets.mfaToken = step.body.mfa_token as string;
    const pair = await call('/auth/2fa/verify', {
      mfa_token: step.body.mfa_token,
      recovery_code: recovery[0],
    });
    expect(pair.status).toBe(200);
    secrets.mfaAccess = pair.body.access_token as string;
    secrets.mfaRefresh = pair.body.refresh_token as string;
    // The "two-factor turned on" notice is the fourth mail.
    await nextMail(3);
    await waitFor(
      () =>
        Promise.resolve(lines().filter((l) => l.msg?.startsWith('mail written to')).length >= 4),
      5000,
      'four mails logged',
    );
  });

  it('logs no address, password, link token, TOTP secret, mfa_token, recovery code or token', () => {
    const out = app.stdout();
    expect(Object.keys(secrets).length).toBeGreaterThan(15);
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, logged: out.includes(value) }).toEqual({ name, logged: false });
    }
  });

  it('audits each step of the lifecycle by user id', () => {
    const events = lines()
      .map((l) => l.audit)
      .filter(Boolean);
    for (const event of [
      'email.verification_sent',
      'email.verified',
      'password.reset_requested',
      'password.reset',
      'mfa.setup',
      'mfa.enabled',
      'mfa.challenge',
      'mfa.recovery_code_used',
    ]) {
      expect(events).toContain(event);
    }
    const reset = lines().find((l) => l.audit === 'password.reset');
    expect(reset).toMatchObject({ userId: expect.any(String), revokedTokens: expect.any(Number) });
  });
});
