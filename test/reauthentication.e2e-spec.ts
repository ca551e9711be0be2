import * as OTPAuth from 'otpauth';
import { OneTimeTokenPurpose } from '../src/tokens/entities/one-time-token.entity';
import { OneTimeTokensService } from '../src/account/one-time-tokens.service';
import { databaseKinds } from './support/databases';
import { TestApp, createTestApp } from './support/test-app';
import { withWallClock } from './support/wall-clock';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** What the mailed reset link carries, without a mailbox. */
const resetLink = async (t: TestApp, userId: string) =>
  (await t.app
    .get(OneTimeTokensService)
    .issue(userId, OneTimeTokenPurpose.PasswordReset, 1800)) as string;

/** Sets up and turns on two-factor with the given token; returns the authenticator. */
async function enrol(
  t: TestApp,
  access: string,
  body: Record<string, string> = {},
): Promise<OTPAuth.TOTP> {
  const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).send(body).expect(201);
  const totp = OTPAuth.URI.parse(
    (setup.body as { otpauth_uri: string }).otpauth_uri,
  ) as OTPAuth.TOTP;
  await t
    .http()
    .post('/auth/2fa/enable')
    .set(bearer(access))
    .send({ code: totp.generate(), ...body })
    .expect(200);
  return totp;
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    auth_time?: number;
    iat: number;
  };

/**
 * What a stolen access token alone can no longer do: change how the account signs in. The proof
 * of the person is the password in the request, or a sign-in within REAUTH_MAX_AGE.
 */
describe.each(databaseKinds())('re-authentication on %s', (kind) => {
  describe('a token whose sign-in is too old (REAUTH_MAX_AGE=0: never recent enough)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(kind, {
        REAUTH_MAX_AGE: '0',
        LOCKOUT_THRESHOLD: '3',
        MFA_RESET_WINDOW: '0',
      });
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
        expect(refused.headers['www-authenticate']).toMatch(
          /error="insufficient_user_authentication"/,
        );
        expect(refused.headers['www-authenticate']).toMatch(/max_age="0"/);
      }
      // Nothing was set up, and the token still works: it was refused the change, not revoked.
      expect((await t.http().get('/auth/2fa').set(bearer(access)).expect(200)).body).toMatchObject({
        enabled: false,
      });
    });

    it('does all of it with the password in the request', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const other = await t.login(email, password);
      await enrol(t, access, { current_password: password });
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

    it('cannot end another session one by one without the password either; its own, yes', async () => {
      const { email, password } = await t.register();
      const thief = await t.login(email, password);
      const owner = await t.login(email, password);
      const ownerSession = claimsOf(owner.access) as unknown as { sid: string };
      const refused = await t
        .http()
        .delete(`/auth/sessions/${ownerSession.sid}`)
        .set(bearer(thief.access))
        .expect(401);
      expect(refused.body).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
      await t.http().get('/users/me').set(bearer(owner.access)).expect(200);
      await t
        .http()
        .delete(`/auth/sessions/${ownerSession.sid}`)
        .set(bearer(thief.access))
        .send({ current_password: password })
        .expect(204);
      await t.http().get('/users/me').set(bearer(owner.access)).expect(401);
      const own = claimsOf(thief.access) as unknown as { sid: string };
      await t.http().delete(`/auth/sessions/${own.sid}`).set(bearer(thief.access)).expect(204);
    });

    it('cannot change another account’s roles or access, or remove its second factor, with a stolen admin token', async () => {
      const admin = await t.register({ admin: true });
      const { access } = await t.login(admin.email, admin.password);
      const victim = await t.register();
      const victimAccess = (await t.login(victim.email, victim.password)).access;
      await enrol(t, victimAccess, { current_password: victim.password });

      for (const body of [{ roles: ['user', 'admin'] }, { disabled: true }]) {
        const refused = await t
          .http()
          .patch(`/admin/users/${victim.id}`)
          .set(bearer(access))
          .send(body)
          .expect(401);
        expect(refused.body).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
      }
      await t
        .http()
        .delete(`/admin/users/${victim.id}/2fa`)
        .set(bearer(access))
        .send({})
        .expect(401);
      await t.http().get('/users/me').set(bearer(victimAccess)).expect(200);

      // With the admin's password: done.
      await t
        .http()
        .delete(`/admin/users/${victim.id}/2fa`)
        .set(bearer(access))
        .send({ current_password: admin.password })
        .expect(204);
      const changed = await t
        .http()
        .patch(`/admin/users/${victim.id}`)
        .set(bearer(access))
        .send({ roles: ['user', 'admin'], current_password: admin.password })
        .expect(200);
      expect(changed.body).toMatchObject({ roles: ['user', 'admin'] });
      expect(changed.body).not.toHaveProperty('current_password');
    });

    it('lets the owner end every session, its own included, without it: that helps no thief', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      await t.http().post('/auth/logout-all').set(bearer(access)).send({}).expect(200);
      await t.http().get('/users/me').set(bearer(access)).expect(401);
    });

    it('keeps a factor older than MFA_RESET_WINDOW through a reset: a mailbox alone does not undo it', async () => {
      const { id, email, password } = await t.register();
      const { access } = await t.login(email, password);
      await enrol(t, access, { current_password: password });
      const token = await resetLink(t, id);
      const kept = await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: 'a brand new password', remove_second_factor: true })
        .expect(409);
      expect(kept.body).toMatchObject({ code: 'TWO_FACTOR_NOT_REMOVABLE' });
      // The link was not spent: the reset itself still works, and two-factor stays on.
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: 'a brand new password' })
        .expect(204);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ email, password: 'a brand new password' })
        .expect(200);
      expect(login.body).toMatchObject({ mfa_required: true });
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
      await t
        .http()
        .post('/auth/2fa/setup')
        .set(bearer(access))
        .send({ current_password: password })
        .expect(429);
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
      await enrol(t, access);
    });

    it('gives the owner the account back from a factor a thief enrolled: a password reset turns it off', async () => {
      const { id, email, password } = await t.register();
      // Stolen right after the owner signed in: within REAUTH_MAX_AGE the token is enough.
      const stolen = (await t.login(email, password)).access;
      await enrol(t, stolen);
      expect(
        (await t.http().post('/auth/login').send({ email, password }).expect(200)).body,
      ).toMatchObject({
        mfa_required: true,
      });

      const token = await resetLink(t, id);
      await t
        .http()
        .post('/auth/password/reset')
        .send({ token, password: 'taken back for good', remove_second_factor: true })
        .expect(204);
      await t.http().get('/users/me').set(bearer(stolen)).expect(401);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ email, password: 'taken back for good' })
        .expect(200);
      expect(login.body).toHaveProperty('access_token');
      const mine = (login.body as { access_token: string }).access_token;
      expect((await t.http().get('/auth/2fa').set(bearer(mine)).expect(200)).body).toMatchObject({
        enabled: false,
      });
    });

    it('keeps the sign-in time through refresh: a refreshed token is no fresher a proof', async () => {
      const { email, password } = await t.register();
      const first = await t.login(email, password);
      // A second later on the app's clock: the refreshed token's iat is a later second.
      const refreshed = await withWallClock((clock) => {
        clock.advance(1000);
        return t.http().post('/auth/refresh').send({ refresh_token: first.refresh }).expect(200);
      });
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
