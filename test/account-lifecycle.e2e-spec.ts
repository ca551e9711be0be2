import * as OTPAuth from 'otpauth';
import type { ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import { OneTimeToken, OneTimeTokenPurpose } from '../src/tokens/entities/one-time-token.entity';
import { BackgroundTasks } from '../src/common/background-tasks.service';
import { Mailer } from '../src/mail/mailer.service';
import { databaseKinds } from './support/databases';
import { Inbox, linkToken, startInbox } from './support/smtp-inbox';
import { TEST_AUDIENCE, TEST_ISSUER, TestApp, createTestApp } from './support/test-app';

const APP_URL = 'https://app.example.test';
const ORIGIN = 'https://app.example.test';

interface Pair {
  access_token: string;
  refresh_token: string;
}

/** Every mail the app has decided to send has been handed to the SMTP server. */
async function settled(t: TestApp): Promise<void> {
  await t.app.get(BackgroundTasks).idle();
  await t.app.get(Mailer).idle();
}

/** The authenticator app: codes computed by an independent TOTP implementation. */
function authenticatorFor(setup: { otpauth_uri: string }): OTPAuth.TOTP {
  const parsed = OTPAuth.URI.parse(setup.otpauth_uri);
  if (!(parsed instanceof OTPAuth.TOTP)) throw new Error('not a TOTP URI');
  return parsed;
}

/** The code of the next time step: a fresh code without waiting 30 s. */
const nextCode = (totp: OTPAuth.TOTP) => totp.generate({ timestamp: Date.now() + 30_000 });

describe.each(databaseKinds())('account lifecycle on %s', (kind) => {
  let inbox: Inbox;
  beforeAll(async () => {
    inbox = await startInbox();
  });
  afterAll(() => inbox.close());

  const appWith = (env: Record<string, string> = {}) =>
    createTestApp(kind, {
      SMTP_URL: inbox.url,
      APP_URL,
      MAIL_RESEND_INTERVAL: '0',
      MAIL_RETRY_DELAY: '50ms',
      ...env,
    });

  /** Registers, and returns the verification mail with the credentials. */
  async function registered(t: TestApp) {
    const before = inbox.count();
    const account = await t.register();
    const mail = await inbox.waitFor(account.email, { after: before, kind: /confirm/i });
    return { ...account, mail };
  }

  const tokenOf = (mail: ParsedMail): string => {
    const token = linkToken(mail);
    if (!token) throw new Error(`no token in the mail "${mail.subject}"`);
    return token;
  };

  describe('email verification and password reset (bearer mode)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith();
    });
    afterAll(() => t?.close());

    const me = (token: string) => t.http().get('/users/me').auth(token, { type: 'bearer' });

    it('mails a verification link on registration; the link verifies the address once', async () => {
      const { email, password, mail } = await registered(t);
      expect(mail.text).toContain(`${APP_URL}/verify-email#token=`);
      expect(mail.html).toContain(`${APP_URL}/verify-email#token=`);
      const token = tokenOf(mail);
      const { access } = await t.login(email, password);
      expect((await me(access).expect(200)).body).toMatchObject({ email, emailVerified: false });

      await t.http().post('/auth/email/verify').send({ token }).expect(204);
      expect((await me(access).expect(200)).body).toMatchObject({ emailVerified: true });
      const again = await t.http().post('/auth/email/verify').send({ token }).expect(400);
      expect(again.body).toMatchObject({ code: 'INVALID_ONE_TIME_TOKEN' });
    });

    it('stores only the SHA-256 of a mailed token', async () => {
      const { id, mail } = await registered(t);
      const token = tokenOf(mail);
      const rows: Array<{ token_hash: string }> = await t.sql(
        'SELECT * FROM one_time_tokens WHERE user_id = ?',
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('base64url'));
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('resends: the same answer for any address, a new link that voids the old one', async () => {
      const { email, mail } = await registered(t);
      const first = tokenOf(mail);
      const before = inbox.count();
      const known = await t.http().post('/auth/email/resend').send({ email }).expect(202);
      const unknown = await t
        .http()
        .post('/auth/email/resend')
        .send({ email: `nobody-${Date.now()}@example.com` })
        .expect(202);
      expect(unknown.body).toEqual(known.body);
      const second = tokenOf(await inbox.waitFor(email, { after: before }));
      expect(second).not.toBe(first);
      await t.http().post('/auth/email/verify').send({ token: first }).expect(400);
      await t.http().post('/auth/email/verify').send({ token: second }).expect(204);

      // Verified now: a resend answers alike and mails nothing.
      await settled(t);
      const count = inbox.count();
      expect((await t.http().post('/auth/email/resend').send({ email }).expect(202)).body).toEqual(
        known.body,
      );
      await settled(t);
      expect(inbox.count()).toBe(count);
    });

    it('refuses malformed and unknown verification tokens with a 400', async () => {
      const bad = await t.http().post('/auth/email/verify').send({ token: 'short' }).expect(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const unknown = await t
        .http()
        .post('/auth/email/verify')
        .send({ token: 'A'.repeat(43) })
        .expect(400);
      expect(unknown.body).toMatchObject({ code: 'INVALID_ONE_TIME_TOKEN' });
    });

    it('forgot: 202 and the same body for any address; only an account gets a mail', async () => {
      const { email } = await registered(t);
      await settled(t);
      const before = inbox.count();
      const stranger = `nobody-${Date.now()}@example.com`;
      const unknown = await t
        .http()
        .post('/auth/password/forgot')
        .send({ email: stranger })
        .expect(202);
      const known = await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      expect(known.body).toEqual(unknown.body);
      expect(Object.keys(known.headers)).toEqual(Object.keys(unknown.headers));
      const mail = await inbox.waitFor(email, { after: before, kind: /reset/i });
      expect(mail.text).toContain(`${APP_URL}/reset-password#token=`);
      expect(mail.text).toMatch(/30 minutes/);
      await settled(t);
      expect(inbox.mails.slice(before).map((m) => m.to)).toHaveLength(1);
    });

    it('reset: new password, the link works once, every old session is refused, a notice is mailed', async () => {
      const { email, password } = await registered(t);
      const phone = await t.login(email, password);
      const laptop = await t.login(email, password);
      const before = inbox.count();
      await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      const token = tokenOf(await inbox.waitFor(email, { after: before, kind: /reset/i }));

      const weak = await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: 'short' })
        .expect(400);
      expect(weak.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const newPassword = `new-${password}`;
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: newPassword })
        .expect(204);
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: `x-${newPassword}` })
        .expect(400);

      for (const session of [phone, laptop]) {
        await me(session.access).expect(401);
        await t.http().post('/auth/refresh').send({ refresh_token: session.refresh }).expect(401);
      }
      await t.http().post('/auth/login').send({ email, password }).expect(401);
      const { access } = await t.login(email, newPassword);
      // Following the link proved the address too.
      expect((await me(access).expect(200)).body).toMatchObject({ emailVerified: true });
      const notice = await inbox.waitFor(email, { after: before, kind: /password was changed/i });
      expect(notice.text).not.toContain(token);
    });

    it('spends a reset link once when it comes back many times at the same moment', async () => {
      const { email } = await registered(t);
      const before = inbox.count();
      await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      const token = tokenOf(await inbox.waitFor(email, { after: before, kind: /reset/i }));
      const tries = Array.from({ length: 8 }, (_, i) => `parallel password number ${i}`);
      const answers = await Promise.all(
        tries.map((password) => t.http().post('/auth/password/reset').send({ token, password })),
      );
      const won = answers.flatMap((res, i) => (res.status === 204 ? [tries[i]] : []));
      expect(won).toHaveLength(1);
      for (const res of answers) expect([204, 400]).toContain(res.status);
      // The one that won is the password now; none of the others is.
      await t.login(email, won[0]);
      const others = tries.filter((password) => password !== won[0]);
      await t.http().post('/auth/login').send({ email, password: others[0] }).expect(401);
    });

    it('a newer reset link voids the older one, and an expired link is refused', async () => {
      const { id, email } = await registered(t);
      let before = inbox.count();
      await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      const older = tokenOf(await inbox.waitFor(email, { after: before, kind: /reset/i }));
      before = inbox.count();
      await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      const newer = tokenOf(await inbox.waitFor(email, { after: before, kind: /reset/i }));
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token: older, password: 'another long password' })
        .expect(400);

      await t.dataSource
        .getRepository(OneTimeToken)
        .update(
          { userId: id, purpose: OneTimeTokenPurpose.PasswordReset },
          { expiresAt: new Date(Date.now() - 1000) },
        );
      const expired = await t
        .http()
        .post('/auth/password/reset')
        .send({ token: newer, password: 'another long password' })
        .expect(400);
      expect(expired.body).toMatchObject({ code: 'INVALID_ONE_TIME_TOKEN' });
    });

    it('a password change voids pending reset links and mails a notice', async () => {
      const { email, password } = await registered(t);
      let before = inbox.count();
      await t.http().post('/auth/password/forgot').send({ email }).expect(202);
      const token = tokenOf(await inbox.waitFor(email, { after: before, kind: /reset/i }));
      const { access } = await t.login(email, password);
      before = inbox.count();
      await t
        .http()
        .post('/auth/password')
        .auth(access, { type: 'bearer' })
        .send({ current_password: password, new_password: `changed-${password}` })
        .expect(204);
      await inbox.waitFor(email, { after: before, kind: /password was changed/i });
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: 'attacker chosen pw' })
        .expect(400);
    });
  });

  describe('API docs', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith();
    });
    afterAll(() => t?.close());

    const ENDPOINTS: Array<[string, string, 'public' | 'bearer', string | undefined]> = [
      ['/auth/email/verify', 'post', 'public', 'VerifyEmailDto'],
      ['/auth/email/resend', 'post', 'public', 'EmailDto'],
      ['/auth/password/forgot', 'post', 'public', 'EmailDto'],
      ['/auth/password/reset', 'post', 'public', 'ResetPasswordDto'],
      ['/auth/2fa', 'get', 'bearer', undefined],
      ['/auth/2fa/setup', 'post', 'bearer', 'ConfirmDto'],
      ['/auth/2fa/enable', 'post', 'bearer', 'EnableTwoFactorDto'],
      ['/auth/2fa/disable', 'post', 'bearer', 'DisableTwoFactorDto'],
      ['/auth/2fa/verify', 'post', 'public', 'VerifyTwoFactorDto'],
    ];

    it.each(ENDPOINTS)(
      'documents %s %s (%s) with its body and answers',
      async (path, method, access, dto) => {
        const { body: doc } = await t.http().get('/docs-json').expect(200);
        const operation = doc.paths[path]?.[method];
        expect(operation).toBeDefined();
        expect(operation.summary).toEqual(expect.any(String));
        expect(operation.security).toEqual(
          access === 'public' ? [] : [{ bearer: [] }, { oauth2: [] }],
        );
        if (dto) {
          expect(operation.requestBody.content['application/json'].schema).toEqual({
            $ref: `#/components/schemas/${dto}`,
          });
          expect(doc.components.schemas[dto].properties).toBeDefined();
        }
        const statuses = Object.keys(operation.responses);
        expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
        expect(statuses.some((s) => s.startsWith('4'))).toBe(true);
      },
    );

    it('documents that login answers the pair or the two-factor challenge', async () => {
      const { body: doc } = await t.http().get('/docs-json').expect(200);
      const ok = doc.paths['/auth/login'].post.responses['200'].content['application/json'].schema;
      expect(ok.oneOf).toEqual([
        { $ref: '#/components/schemas/TokenPairResponse' },
        { $ref: '#/components/schemas/MfaChallengeResponse' },
      ]);
      expect(doc.components.schemas.TwoFactorSetupResponse.required).toEqual(
        expect.arrayContaining(['secret', 'otpauth_uri', 'qr_code']),
      );
    });
  });

  describe('AUTH_REQUIRE_VERIFIED_EMAIL=true', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith({ AUTH_REQUIRE_VERIFIED_EMAIL: 'true' });
    });
    afterAll(() => t?.close());

    it('refuses an unverified login with 403 EMAIL_NOT_VERIFIED (and the grant with invalid_grant) until verified', async () => {
      const { email, password, mail } = await registered(t);
      const refused = await t.http().post('/auth/login').send({ email, password }).expect(403);
      expect(refused.body).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
      expect(refused.body).not.toHaveProperty('access_token');
      const grant = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: email, password })
        .expect(400);
      expect(grant.body).toMatchObject({ error: 'invalid_grant' });
      // A wrong password is still just a wrong password: nothing says the account is unverified.
      const wrong = await t
        .http()
        .post('/auth/login')
        .send({ email, password: 'wrong password!' })
        .expect(401);
      expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });

      await t
        .http()
        .post('/auth/email/verify')
        .send({ token: tokenOf(mail) })
        .expect(204);
      await t.login(email, password);
    });
  });

  describe('two-factor authentication', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith({ LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_DELAY: '60s' });
    });
    afterAll(() => t?.close());

    const me = (token: string) => t.http().get('/users/me').auth(token, { type: 'bearer' });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    async function withTwoFactor() {
      const { email, password } = await registered(t);
      const { access } = await t.login(email, password);
      const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).expect(201);
      expect(setup.headers['cache-control']).toBe('no-store');
      const totp = authenticatorFor(setup.body);
      const before = inbox.count();
      const enabled = await t
        .http()
        .post('/auth/2fa/enable')
        .set(bearer(access))
        .send({ code: totp.generate() })
        .expect(200);
      await inbox.waitFor(email, { after: before, kind: /two-factor/i });
      return {
        email,
        password,
        access,
        totp,
        setup: setup.body,
        recovery: enabled.body.recovery_codes as string[],
      };
    }

    const passwordStep = async (email: string, password: string) => {
      const res = await t.http().post('/auth/login').send({ email, password }).expect(200);
      return res.body as { mfa_required: boolean; mfa_token: string; access_token?: string };
    };

    it('setup gives a secret, an otpauth URI and a QR PNG; the secret is stored sealed', async () => {
      const { email, password } = await registered(t);
      const { access } = await t.login(email, password);
      const res = await t.http().post('/auth/2fa/setup').set(bearer(access)).expect(201);
      expect(res.body.qr_code).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(res.body.qr_code.split(',')[1], 'base64');
      expect(png.subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
      const totp = authenticatorFor(res.body);
      expect(totp.secret.base32).toBe(res.body.secret);
      expect(totp.issuer).toBe('Gatehouse');
      expect(totp.label).toBe(email);
      const rows: Array<{ secret: string }> = await t.dataSource.query(
        'SELECT secret FROM user_mfa',
      );
      const hex = totp.secret.bytes ? Buffer.from(totp.secret.bytes).toString('hex') : '';
      for (const row of rows) {
        expect(row.secret).toMatch(/^v1\./);
        expect(row.secret).not.toContain(res.body.secret);
        expect(row.secret.toLowerCase()).not.toContain(hex);
      }
    });

    it('enable refuses a wrong code and returns ten recovery codes for a right one', async () => {
      const { email, password } = await registered(t);
      const { access } = await t.login(email, password);
      await t
        .http()
        .post('/auth/2fa/enable')
        .set(bearer(access))
        .send({ code: '123456' })
        .expect(409);
      const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).expect(201);
      const totp = authenticatorFor(setup.body);
      const wrong = String((Number(totp.generate()) + 1) % 1_000_000).padStart(6, '0');
      const refused = await t
        .http()
        .post('/auth/2fa/enable')
        .set(bearer(access))
        .send({ code: wrong })
        .expect(403);
      expect(refused.body).toMatchObject({ code: 'WRONG_TWO_FACTOR_CODE' });
      const enabled = await t
        .http()
        .post('/auth/2fa/enable')
        .set(bearer(access))
        .send({ code: totp.generate() })
        .expect(200);
      expect(enabled.body.recovery_codes).toHaveLength(10);
      expect(new Set(enabled.body.recovery_codes).size).toBe(10);
      expect((await t.http().get('/auth/2fa').set(bearer(access)).expect(200)).body).toMatchObject({
        enabled: true,
        recovery_codes_left: 10,
      });
      await t.http().post('/auth/2fa/setup').set(bearer(access)).expect(409);
    });

    it('login then needs the code: the mfa_token opens nothing else, the code gives the pair once', async () => {
      const { email, password, totp } = await withTwoFactor();
      const step = await passwordStep(email, password);
      expect(step).toMatchObject({ mfa_required: true });
      expect(step).not.toHaveProperty('access_token');
      expect(step).not.toHaveProperty('refresh_token');
      await me(step.mfa_token).expect(401);
      await t.http().post('/auth/refresh').send({ refresh_token: step.mfa_token }).expect(401);
      await t.http().post('/auth/2fa/setup').set(bearer(step.mfa_token)).expect(401);

      const grant = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: email, password })
        .expect(403);
      expect(grant.body).toMatchObject({ error: 'mfa_required' });
      expect(typeof grant.body.mfa_token).toBe('string');
      expect(grant.body).not.toHaveProperty('access_token');

      const code = nextCode(totp);
      const pair = (
        await t
          .http()
          .post('/auth/2fa/verify')
          .send({ mfa_token: step.mfa_token, code })
          .expect(200)
      ).body as Pair;
      await me(pair.access_token).expect(200);
      await t.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(200);

      // The same code again, with a fresh mfa_token: a replay.
      const replay = await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: grant.body.mfa_token, code })
        .expect(401);
      expect(replay.body).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
      // The spent mfa_token cannot be used again, even with a code never used.
      const spent = await t
        .http()
        .post('/auth/2fa/verify')
        .send({
          mfa_token: step.mfa_token,
          code: totp.generate({ timestamp: Date.now() + 60_000 }),
        })
        .expect(401);
      expect(spent.body).toMatchObject({ code: 'INVALID_MFA_TOKEN' });
    });

    it('a recovery code works once, in any case and spacing', async () => {
      const { email, password, access, recovery } = await withTwoFactor();
      const first = await passwordStep(email, password);
      await t
        .http()
        .post('/auth/2fa/verify')
        .send({
          mfa_token: first.mfa_token,
          recovery_code: recovery[0].toUpperCase().replace(/-/g, ' '),
        })
        .expect(200);
      const second = await passwordStep(email, password);
      await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: second.mfa_token, recovery_code: recovery[0] })
        .expect(401);
      await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: second.mfa_token, recovery_code: recovery[1] })
        .expect(200);
      expect((await t.http().get('/auth/2fa').set(bearer(access)).expect(200)).body).toMatchObject({
        recovery_codes_left: 8,
      });
    });

    it('wants exactly one of code and recovery_code', async () => {
      const { email, password, totp, recovery } = await withTwoFactor();
      const { mfa_token } = await passwordStep(email, password);
      const both = await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token, code: totp.generate(), recovery_code: recovery[0] })
        .expect(400);
      expect(both.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      await t.http().post('/auth/2fa/verify').send({ mfa_token }).expect(400);
      await t.http().post('/auth/2fa/verify').send({ mfa_token, code: null }).expect(400);
      await t.http().post('/auth/2fa/verify').send({ mfa_token, recovery_code: null }).expect(400);
      await t.http().post('/auth/2fa/verify').send({ mfa_token, code: 123456 }).expect(400);
      await t.http().post('/auth/2fa/verify').send({ mfa_token, code: '12345' }).expect(400);
    });

    it('locks the two-factor step after repeated wrong codes, even for a right one', async () => {
      const { email, password, totp } = await withTwoFactor();
      const { mfa_token } = await passwordStep(email, password);
      for (let i = 0; i < 3; i++) {
        await t.http().post('/auth/2fa/verify').send({ mfa_token, code: '000000' }).expect(401);
      }
      const locked = await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token, code: nextCode(totp) })
        .expect(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('signs the mfa_token for the two-factor step only: not the API audience, not an access typ', async () => {
      const { email, password } = await withTwoFactor();
      const { mfa_token } = await passwordStep(email, password);
      const claims = JSON.parse(
        Buffer.from(mfa_token.split('.')[1], 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(claims).toMatchObject({ typ: 'mfa', aud: 'urn:gatehouse:mfa', iss: TEST_ISSUER });
      expect(claims.aud).not.toBe(TEST_AUDIENCE);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
      await t.http().post('/oauth2/revoke').type('form').send({ token: mfa_token }).expect(200);
    });

    it('a password change voids a half-done two-factor login', async () => {
      const { email, password, recovery } = await withTwoFactor();
      const first = await passwordStep(email, password);
      const pair = (
        await t
          .http()
          .post('/auth/2fa/verify')
          .send({ mfa_token: first.mfa_token, recovery_code: recovery[0] })
          .expect(200)
      ).body as Pair;
      const pending = await passwordStep(email, password);
      await t
        .http()
        .post('/auth/password')
        .set(bearer(pair.access_token))
        .send({ current_password: password, new_password: `changed-${password}` })
        .expect(204);
      const refused = await t
        .http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: pending.mfa_token, recovery_code: recovery[1] })
        .expect(401);
      expect(refused.body).toMatchObject({ code: 'INVALID_MFA_TOKEN' });
    });

    it('counts wrong passwords at disable: a stolen access token is no password oracle', async () => {
      const { access, totp, password } = await withTwoFactor();
      for (let i = 0; i < 3; i++) {
        await t
          .http()
          .post('/auth/2fa/disable')
          .set(bearer(access))
          .send({ password: `guess-${i}-pw`, code: totp.generate() })
          .expect(403);
      }
      await t
        .http()
        .post('/auth/2fa/disable')
        .set(bearer(access))
        .send({ password, code: nextCode(totp) })
        .expect(429);
    });

    it('an admin can turn it off for a user who lost every factor; every session of the user ends', async () => {
      const { email, password, access } = await withTwoFactor();
      const admin = await t.register({ admin: true });
      const adminAccess = (await t.login(admin.email, admin.password)).access;
      const userId = (await me(access).expect(200)).body.id as string;
      await t.http().delete(`/admin/users/${userId}/2fa`).set(bearer(access)).expect(403);
      const before = inbox.count();
      await t.http().delete(`/admin/users/${userId}/2fa`).set(bearer(adminAccess)).expect(204);
      await inbox.waitFor(email, { after: before, kind: /two-factor/i });
      await me(access).expect(401);
      await t.login(email, password);
      const again = await t
        .http()
        .delete(`/admin/users/${userId}/2fa`)
        .set(bearer(adminAccess))
        .expect(409);
      expect(again.body).toMatchObject({ code: 'TWO_FACTOR_NOT_ENABLED' });
    });

    it('disable needs the password and a current code; afterwards login gives the pair directly', async () => {
      const { email, password, access, totp } = await withTwoFactor();
      const wrongPassword = await t
        .http()
        .post('/auth/2fa/disable')
        .set(bearer(access))
        .send({ password: 'not the password', code: totp.generate() })
        .expect(403);
      expect(wrongPassword.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
      await t
        .http()
        .post('/auth/2fa/disable')
        .set(bearer(access))
        .send({ password, code: '000000' })
        .expect(403);
      await t.http().post('/auth/2fa/disable').set(bearer(access)).send({ password }).expect(400);
      await t
        .http()
        .post('/auth/2fa/disable')
        .set(bearer(access))
        .send({ password, code: nextCode(totp) })
        .expect(204);
      expect((await t.http().get('/auth/2fa').set(bearer(access)).expect(200)).body).toMatchObject({
        enabled: false,
      });
      await t.login(email, password);
    });
  });

  describe('cookie mode (AUTH_COOKIE_MODE=true)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith({ AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_ORIGINS: ORIGIN });
    });
    afterAll(() => t?.close());

    const cookieOf = (res: { headers: Record<string, unknown> }): string => {
      const all = (res.headers['set-cookie'] as string[] | undefined) ?? [];
      expect(all).toHaveLength(1);
      return all[0];
    };
    const refresh = (cookie: string | undefined, origin: string | undefined) => {
      const req = t.http().post('/auth/refresh').send({});
      if (cookie) req.set('cookie', cookie.split(';')[0]);
      if (origin) req.set('origin', origin);
      return req;
    };

    async function cookieLogin() {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/login')
        .set('origin', ORIGIN)
        .send({ email, password })
        .expect(200);
      return { email, password, res, cookie: cookieOf(res) };
    }

    it('login sets the refresh token as an httpOnly, SameSite=Strict, Secure cookie on /auth; the body has the access token only', async () => {
      const { res, cookie } = await cookieLogin();
      expect(cookie).toMatch(/^__Secure-gatehouse_refresh=[\w-]+\.[\w-]+\.[\w-]+;/);
      for (const attribute of [
        /; HttpOnly/i,
        /; SameSite=Strict/i,
        /; Path=\/auth(;|$)/,
        /; Secure/i,
        /; Max-Age=\d+/,
      ]) {
        expect(cookie).toMatch(attribute);
      }
      expect(res.body.access_token).toEqual(expect.any(String));
      expect(res.body).not.toHaveProperty('refresh_token');
      await t.http().get('/users/me').auth(res.body.access_token, { type: 'bearer' }).expect(200);
    });

    it('refresh reads the cookie: allowed Origin rotates it, a foreign one gets 403, none gets 401', async () => {
      const { cookie } = await cookieLogin();
      const foreign = await refresh(cookie, 'https://evil.example').expect(403);
      expect(foreign.body).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
      // The cookie without any Origin: a browser always sends one on a POST; refuse.
      await refresh(cookie, undefined).expect(403);
      const missing = await refresh(undefined, ORIGIN).expect(401);
      expect(missing.body).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });

      const rotated = await refresh(cookie, ORIGIN).expect(200);
      const next = cookieOf(rotated);
      expect(next).not.toBe(cookie);
      expect(rotated.body).not.toHaveProperty('refresh_token');
      await t
        .http()
        .get('/users/me')
        .auth(rotated.body.access_token, { type: 'bearer' })
        .expect(200);
      // The rotated-out cookie is a reuse: refused, and the session ends.
      await refresh(cookie, ORIGIN).expect(401);
      await refresh(next, ORIGIN).expect(401);
    });

    it('logout with the cookie alone ends the session and clears the cookie', async () => {
      const { res, cookie } = await cookieLogin();
      await t
        .http()
        .post('/auth/logout')
        .set('origin', 'https://evil.example')
        .set('cookie', cookie.split(';')[0])
        .expect(403);
      const out = await t
        .http()
        .post('/auth/logout')
        .set('origin', ORIGIN)
        .set('cookie', cookie.split(';')[0])
        .expect(204);
      expect(cookieOf(out)).toMatch(/^__Secure-gatehouse_refresh=; .*Max-Age=0/);
      await t.http().get('/users/me').auth(res.body.access_token, { type: 'bearer' }).expect(401);
      await refresh(cookie, ORIGIN).expect(401);
      await t.http().post('/auth/logout').set('origin', ORIGIN).expect(401);
    });

    it('logout with the cookie works even when the page still sends an expired or revoked bearer token', async () => {
      const { res, cookie } = await cookieLogin();
      const stale = res.body.access_token as string;
      // Revoke the access token alone (RFC 7009), as if it had expired: the cookie still names the session.
      await t.http().post('/oauth2/revoke').type('form').send({ token: stale }).expect(200);
      await t.http().get('/users/me').auth(stale, { type: 'bearer' }).expect(401);
      await t
        .http()
        .post('/auth/logout')
        .set('origin', ORIGIN)
        .set('cookie', cookie.split(';')[0])
        .auth(stale, { type: 'bearer' })
        .expect(204);
      await refresh(cookie, ORIGIN).expect(401);
    });

    it('a login from a foreign Origin is refused before the password is checked', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/login')
        .set('origin', 'https://evil.example')
        .send({ email, password })
        .expect(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('the two-factor step sets the cookie too', async () => {
      const { email, password, res } = await cookieLogin();
      const access = res.body.access_token as string;
      const setup = await t
        .http()
        .post('/auth/2fa/setup')
        .auth(access, { type: 'bearer' })
        .expect(201);
      const totp = authenticatorFor(setup.body);
      await t
        .http()
        .post('/auth/2fa/enable')
        .auth(access, { type: 'bearer' })
        .send({ code: totp.generate() })
        .expect(200);
      const step = await t
        .http()
        .post('/auth/login')
        .set('origin', ORIGIN)
        .send({ email, password })
        .expect(200);
      expect(step.headers['set-cookie']).toBeUndefined();
      const verified = await t
        .http()
        .post('/auth/2fa/verify')
        .set('origin', ORIGIN)
        .send({ mfa_token: step.body.mfa_token, code: nextCode(totp) })
        .expect(200);
      expect(cookieOf(verified)).toMatch(/HttpOnly/i);
      expect(verified.body).not.toHaveProperty('refresh_token');
    });
  });
});
