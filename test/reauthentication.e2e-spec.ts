import * as OTPAuth from 'otpauth';
import { databaseKinds } from './support/databases';
import { TestApp, createTestApp } from './support/test-app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { auth_time?: number; iat: number };

/**
 * What a stolen access token alone can no longer do: change how the account signs in. The proof
 * of the person is the password in the request, or a sign-in within REAUTH_MAX_AGE.
 */
describe.each(databaseKinds())('re-authentication on %s', (kind) => {
  describe('a token whose sign-in is too old (REAUTH_MAX_AGE=0: never recent enough)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(kind, { REAUTH_MAX_AGE: '0', LOCKOUT_THRESHOLD: '3' });
    }, 60_000);
    afterAll(() => t?.close());

    it('cannot set up or turn on a second factor, nor end the other sessions, without the password', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      for (const [path, body] of [
        ['/auth/2fa/setup', {}],
        ['/auth/2fa/enable', { code: '123456' }],
        ['/auth/logout-all', { except_current: true }],
      ] as const) {
        const refused = await t.http().post(path).set(bearer(access)).send(body).expect(401);
        expect(refused.body).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
        expect(refused.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication"/);
        expect(refused.headers['www-authenticate']).toMatch(/max_age="0"/);
      }
      // Nothing was set up, and the token still works: it was refused the change, not revoked.
      expect((await t.http().get('/auth/2fa').set(bearer(access)).expect(200)).body).toMatchObject({ enabled: false });
    });

    it('does all of it with the password in the request', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const other = await t.login(email, password);
      const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).send({ current_password: password }).expect(201);
      const totp = OTPAuth.URI.parse((setup.body as { otpauth_uri: string }).otpauth_uri) as OTPAuth.TOTP;
      await t
        .http()
        .post('/auth/2fa/enable')
        .set(bearer(access))
        .send({ code: totp.generate(), current_password: password })
        .expect(200);
      const ended = await t
        .http()
        .post('/auth/logout-all')
        .set(bearer(access))
        .send({ except_current: true, current_password: password })
        .expect(200);
      expect(ended.body).toEqual({ revoked_tokens: 2 });
      await t.http().get('/users/me').set(bearer(other.access)).expect(401);
      await t.http().get('/users/me').set(bearer(access)).expect(200);
    });

    it('lets the owner end every session, its own included, without it: that helps no thief', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      await t.http().post('/auth/logout-all').set(bearer(access)).send({}).expect(200);
      await t.http().get('/users/me').set(bearer(access)).expect(401);
    });

    it('counts every wrong current password as a failed login: the account locks, login included', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      for (let i = 0; i < 3; i++) {
        const wrong = await t
          .http()
          .post('/auth/password')
          .set(bearer(access))
          .send({ current_password: `guess-${i}-password`, new_password: 'attacker chosen pw' })
          .expect(403);
        expect(wrong.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
      }
      const locked = await t
        .http()
        .post('/auth/password')
        .set(bearer(access))
        .send({ current_password: password, new_password: 'attacker chosen pw' })
        .expect(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      await t.http().post('/auth/2fa/setup').set(bearer(access)).send({ current_password: password }).expect(429);
      await t.http().post('/auth/login').send({ email, password }).expect(429);
    });
  });

  describe('right after signing in (REAUTH_MAX_AGE 5 minutes, the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(kind);
    }, 60_000);
    afterAll(() => t?.close());

    it('turns two-factor on with the token alone, as a user does straight after signing in', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).expect(201);
      const totp = OTPAuth.URI.parse((setup.body as { otpauth_uri: string }).otpauth_uri) as OTPAuth.TOTP;
      await t.http().post('/auth/2fa/enable').set(bearer(access)).send({ code: totp.generate() }).expect(200);
    });

    it('keeps the sign-in time through refresh: a refreshed token is no fresher a proof', async () => {
      const { email, password } = await t.register();
      const first = await t.login(email, password);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const refreshed = await t.http().post('/auth/refresh').send({ refresh_token: first.refresh }).expect(200);
      const before = claimsOf(first.access);
      const after = claimsOf((refreshed.body as { access_token: string }).access_token);
      expect(before.auth_time).toBe(before.iat);
      expect(after.iat).toBeGreaterThan(before.iat);
      expect(after.auth_time).toBe(before.auth_time);
    });

    it('still wants the right password to change the password', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const wrong = await t
        .http()
        .post('/auth/password')
        .set(bearer(access))
        .send({ current_password: 'not it at all', new_password: 'a new password here' })
        .expect(403);
      expect(wrong.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
    });
  });
});
