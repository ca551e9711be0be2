import { ParsedMail, simpleParser } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
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

/** What the outbox mailer logs for each mail: the file it wrote, and the mail's kind. */
const WRITTEN = /^mail written to (.+) \((\w+)\)$/;

interface OutboxMail {
  file: string;
  mail: ParsedMail;
  /** The token of the mail's link, if it has one. */
  token?: string;
}

/**
 * The account lifecycle in a real process without SMTP_URL, as `npm start` runs in development:
 * each mail is an .eml file in DATA_DIR/outbox named by a log line, and neither the links' tokens
 * nor the TOTP secret, the mfa_token, the recovery codes or the address reach the log.
 *
 * The lifecycle runs once, before the cases, which each read what it left: the mails, the log.
 */
describe.each(databaseKinds())('account lifecycle logs and outbox on %s', (kind: DatabaseKind) => {
  const email = `outbox-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const newPassword = `new-${password}`;
  let db: TestDatabase;
  let app: RunningApp;
  const secrets: Record<string, string> = { email, password, newPassword };
  /** The status each step of the lifecycle was answered with. */
  const steps: Record<string, number> = {};
  /** The mails the lifecycle caused, by kind, as the log named them. */
  const mails: Record<string, OutboxMail> = {};

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
  /** The log's complete lines: the last one may still be on its way through the pipe. */
  const lines = (): LogLine[] => {
    const out = app.stdout();
    return out
      .slice(0, out.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  };
  const outbox = () => join(app.dataDir, 'outbox');
  const mailFiles = () =>
    (existsSync(outbox()) ? readdirSync(outbox()) : []).filter((f) => f.endsWith('.eml')).sort();

  /**
   * The mail of this kind, once the app has logged writing it (the file is complete by then: it
   * is written aside and renamed), parsed, with the token of its link.
   */
  async function mailOf(mailKind: string): Promise<OutboxMail> {
    const named = () =>
      lines().flatMap((line) => {
        const [, file, written] = WRITTEN.exec(line.msg ?? '') ?? [];
        return written === mailKind ? [file] : [];
      });
    await waitFor(() => Promise.resolve(named().length > 0), 20_000, `a ${mailKind} mail logged`);
    const [file] = named();
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

    steps.register = (await call('/auth/register', { email, password })).status;
    mails.verification = await mailOf('email_verification');
    secrets.verificationToken = mails.verification.token ?? '';
    steps.verify = (await call('/auth/email/verify', { token: mails.verification.token })).status;

    steps.forgot = (await call('/auth/password/forgot', { email })).status;
    mails.reset = await mailOf('password_reset');
    secrets.resetToken = mails.reset.token ?? '';
    steps.reset = (
      await call('/auth/password/reset', { token: mails.reset.token, password: newPassword })
    ).status;
    mails.changed = await mailOf('password_changed');

    const login = await call('/auth/login', { email, password: newPassword });
    steps.login = login.status;
    const access = login.body.access_token as string;
    secrets.access = access;
    const setup = await call('/auth/2fa/setup', {}, access);
    steps.setup = setup.status;
    const totp = OTPAuth.URI.parse(setup.body.otpauth_uri as string) as OTPAuth.TOTP;
    secrets.totpSecret = setup.body.secret as string;
    secrets.otpauthUri = setup.body.otpauth_uri as string;
    const enabled = await call('/auth/2fa/enable', { code: totp.generate() }, access);
    steps.enable = enabled.status;
    const recovery = (enabled.body.recovery_codes ?? []) as string[];
    recovery.forEach((code, i) => (secrets[`recovery${i}`] = code));
    mails.twoFactor = await mailOf('two_factor_changed');
    const step = await call('/auth/login', { email, password: newPassword });
    steps.mfaLogin = step.status;
    secrets.mfaToken = step.body.mfa_token as string;
    const pair = await call('/auth/2fa/verify', {
      mfa_token: step.body.mfa_token,
      recovery_code: recovery[0],
    });
    steps.mfaVerify = pair.status;
    secrets.mfaAccess = pair.body.access_token as string;
    secrets.mfaRefresh = pair.body.refresh_token as string;
    // The app is another process: the lines of the last step may still be in the pipe when its
    // answer has arrived. Every test below reads the whole output, so wait for the last audit
    // line (bounded; a test then says what is missing).
    await waitFor(
      () => Promise.resolve(lines().some((l) => l.audit === 'mfa.recovery_code_used')),
      10_000,
      'the audit line of the last step',
    ).catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('runs the whole lifecycle from the mails written to the outbox', () => {
    expect(steps).toEqual({
      register: 201,
      verify: 204,
      forgot: 202,
      reset: 204,
      login: 200,
      setup: 201,
      enable: 200,
      mfaLogin: 200,
      mfaVerify: 200,
    });
  });

  it('writes each mail as an .eml file, readable by its owner only, that a log line names', () => {
    const { verification, reset, changed, twoFactor } = mails;
    expect(verification.mail.subject).toMatch(/confirm/i);
    expect(verification.mail.to).toMatchObject({ text: email });
    expect(verification.token).toBeDefined();
    expect(reset.token).toBeDefined();
    expect(changed.mail.subject).toMatch(/password was changed/i);
    expect(twoFactor.mail.to).toMatchObject({ text: email });
    for (const { file } of [verification, reset, changed, twoFactor]) {
      expect(file.startsWith(outbox())).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    // Those four, and no other mail.
    expect(mailFiles()).toEqual(
      [verification, reset, changed, twoFactor].map(({ file }) => basename(file)).sort(),
    );
  });

  it('logs no address, password, link token, TOTP secret, mfa_token, recovery code or token', () => {
    const out = app.stdout();
    expect(Object.keys(secrets).length).toBeGreaterThan(15);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value).not.toBe('');
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
