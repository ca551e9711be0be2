import { DataSource } from 'typeorm';
import { Session } from '../src/tokens/entities/session.entity';
import { Token, TokenType } from '../src/tokens/entities/token.entity';
import { TokenCleanupService } from '../src/tokens/token-cleanup.service';
import { databaseKinds } from './support/databases';
import { TestApp, createTestApp } from './support/test-app';

const CLIENT = 'resource-server';
const CLIENT_SECRET = 'introspection-secret-0123456789';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const sid = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

describe.each(databaseKinds())('sessions and revocation on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { INTROSPECTION_CLIENTS: `${CLIENT}:${CLIENT_SECRET}` });
  });
  afterAll(() => t?.close());

  const me = (token: string) => t.http().get('/users/me').auth(token, { type: 'bearer' });
  const refresh = (token: string) => t.http().post('/auth/refresh').send({ refresh_token: token });

  async function userWithTwoDevices() {
    const account = await t.register();
    const phone = await t.login(account.email, account.password);
    const laptop = await t.login(account.email, account.password);
    return { account, phone, laptop };
  }

  describe('GET /auth/sessions', () => {
    it('lists each login as a session, marks the current one, and hides ended ones', async () => {
      const { account, phone } = await userWithTwoDevices();
      await t
        .http()
        .post('/auth/login')
        .set('user-agent', 'tablet/1')
        .send({ email: account.email, password: account.password })
        .expect(200);
      const res = await t
        .http()
        .get('/auth/sessions')
        .auth(phone.access, { type: 'bearer' })
        .expect(200);
      expect(res.body).toHaveLength(3);
      const current = res.body.filter((s: { current: boolean }) => s.current);
      expect(current).toEqual([expect.objectContaining({ id: sid(phone.access) })]);
      expect(res.body.map((s: { userAgent: string }) => s.userAgent)).toContain('tablet/1');
      for (const s of res.body) {
        expect(Object.keys(s).sort()).toEqual(
          ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent'].sort(),
        );
        expect(Date.parse(s.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
      }
      await t.http().post('/auth/logout').auth(phone.access, { type: 'bearer' }).expect(204);
      const { access } = await t.login(account.email, account.password);
      const after = await t
        .http()
        .get('/auth/sessions')
        .auth(access, { type: 'bearer' })
        .expect(200);
      expect(after.body.map((s: { id: string }) => s.id)).not.toContain(sid(phone.access));
    });

    it('keeps a session across refreshes, updating when it was last used', async () => {
      const { account } = await userWithTwoDevices();
      const first = await t.login(account.email, account.password);
      const rotated = await refresh(first.refresh).expect(200);
      expect(sid(rotated.body.access_token)).toBe(sid(first.access));
      const res = await t
        .http()
        .get('/auth/sessions')
        .auth(rotated.body.access_token, { type: 'bearer' })
        .expect(200);
      expect(res.body.filter((s: { id: string }) => s.id === sid(first.access))).toHaveLength(1);
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it('ends that session everywhere: its access and refresh tokens are refused', async () => {
      const { phone, laptop } = await userWithTwoDevices();
      await t
        .http()
        .delete(`/auth/sessions/${sid(laptop.access)}`)
        .auth(phone.access, { type: 'bearer' })
        .expect(204);
      await me(laptop.access).expect(401);
      await refresh(laptop.refresh).expect(401);
      await me(phone.access).expect(200);
    });

    it("answers 404 for another user's session and for a session already ended", async () => {
      const alice = await userWithTwoDevices();
      const bob = await userWithTwoDevices();
      await t
        .http()
        .delete(`/auth/sessions/${sid(bob.phone.access)}`)
        .auth(alice.phone.access, { type: 'bearer' })
        .expect(404);
      await me(bob.phone.access).expect(200);
      await t
        .http()
        .delete(`/auth/sessions/${sid(alice.laptop.access)}`)
        .auth(alice.phone.access, { type: 'bearer' })
        .expect(204);
      await t
        .http()
        .delete(`/auth/sessions/${sid(alice.laptop.access)}`)
        .auth(alice.phone.access, { type: 'bearer' })
        .expect(404);
    });

    it('answers 400 for a malformed id', async () => {
      const { phone } = await userWithTwoDevices();
      await t
        .http()
        .delete('/auth/sessions/nope')
        .auth(phone.access, { type: 'bearer' })
        .expect(400);
    });
  });

  describe('POST /auth/logout-all', () => {
    it('ends every other session when asked to keep the current one', async () => {
      const { phone, laptop } = await userWithTwoDevices();
      const res = await t
        .http()
        .post('/auth/logout-all')
        .auth(phone.access, { type: 'bearer' })
        .send({ except_current: true })
        .expect(200);
      expect(res.body).toEqual({ revoked_tokens: 2 });
      await me(laptop.access).expect(401);
      await refresh(laptop.refresh).expect(401);
      await me(phone.access).expect(200);
      await refresh(phone.refresh).expect(200);
    });

    it('ends every session, the current one included, by default', async () => {
      const { phone, laptop } = await userWithTwoDevices();
      await t.http().post('/auth/logout-all').auth(phone.access, { type: 'bearer' }).expect(200);
      await me(phone.access).expect(401);
      await me(laptop.access).expect(401);
    });
  });

  describe('POST /auth/password', () => {
    it('changes the password and ends every other session', async () => {
      const { account, phone, laptop } = await userWithTwoDevices();
      await t
        .http()
        .post('/auth/password')
        .auth(phone.access, { type: 'bearer' })
        .send({ current_password: account.password, new_password: 'a brand new password' })
        .expect(204);
      await me(laptop.access).expect(401);
      await refresh(laptop.refresh).expect(401);
      await me(phone.access).expect(200);
      await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(401);
      await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: 'a brand new password' })
        .expect(200);
    });

    it('refuses a wrong current password with 403 and changes nothing', async () => {
      const { account, phone, laptop } = await userWithTwoDevices();
      const res = await t
        .http()
        .post('/auth/password')
        .auth(phone.access, { type: 'bearer' })
        .send({ current_password: 'not it at all', new_password: 'a brand new password' })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
      await me(laptop.access).expect(200);
      await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(200);
    });

    it('applies the password rules to the new password', async () => {
      const { account, phone } = await userWithTwoDevices();
      await t
        .http()
        .post('/auth/password')
        .auth(phone.access, { type: 'bearer' })
        .send({ current_password: account.password, new_password: 'short' })
        .expect(400);
    });
  });

  describe('admin', () => {
    let admin: string;
    beforeAll(async () => {
      const account = await t.register({ admin: true });
      admin = (await t.login(account.email, account.password)).access;
    });

    it('revokes every session of a user', async () => {
      const { account, phone, laptop } = await userWithTwoDevices();
      const res = await t
        .http()
        .post(`/admin/users/${account.id}/revoke-sessions`)
        .auth(admin, { type: 'bearer' })
        .expect(200);
      expect(res.body).toEqual({ revoked_tokens: 4 });
      await me(phone.access).expect(401);
      await me(laptop.access).expect(401);
      await refresh(phone.refresh).expect(401);
      await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(200);
    });

    it('disabling a user refuses its tokens at once and its logins until enabled again', async () => {
      const { account, phone } = await userWithTwoDevices();
      const res = await t
        .http()
        .patch(`/admin/users/${account.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ disabled: true })
        .expect(200);
      expect(res.body).toMatchObject({ id: account.id, disabled: true });
      await me(phone.access).expect(401);
      await refresh(phone.refresh).expect(401);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(403);
      expect(login.body).toMatchObject({ code: 'ACCOUNT_DISABLED' });
      await t
        .http()
        .patch(`/admin/users/${account.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ disabled: false })
        .expect(200);
      await t
        .http()
        .post('/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(200);
    });

    it('removing a role ends the sessions that carry it', async () => {
      const promoted = await t.register({ admin: true });
      const tokens = await t.login(promoted.email, promoted.password);
      await t.http().get('/admin/users').auth(tokens.access, { type: 'bearer' }).expect(200);
      await t
        .http()
        .patch(`/admin/users/${promoted.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ roles: ['user'] })
        .expect(200);
      await t.http().get('/admin/users').auth(tokens.access, { type: 'bearer' }).expect(401);
      const again = await t.login(promoted.email, promoted.password);
      await t.http().get('/admin/users').auth(again.access, { type: 'bearer' }).expect(403);
    });

    it('refuses unknown roles, unknown users and non-admins', async () => {
      const { account, phone } = await userWithTwoDevices();
      await t
        .http()
        .patch(`/admin/users/${account.id}`)
        .auth(admin, { type: 'bearer' })
        .send({ roles: ['root'] })
        .expect(400);
      await t
        .http()
        .post('/admin/users/00000000-0000-4000-8000-000000000000/revoke-sessions')
        .auth(admin, { type: 'bearer' })
        .expect(404);
      await t
        .http()
        .post(`/admin/users/${account.id}/revoke-sessions`)
        .auth(phone.access, { type: 'bearer' })
        .expect(403);
    });
  });

  describe('POST /oauth2/revoke (RFC 7009)', () => {
    it('revokes an access token alone', async () => {
      const { phone } = await userWithTwoDevices();
      await t
        .http()
        .post('/oauth2/revoke')
        .type('form')
        .send({ token: phone.access, token_type_hint: 'access_token' })
        .expect(200);
      await me(phone.access).expect(401);
      await refresh(phone.refresh).expect(200);
    });

    it('revokes a refresh token with its whole session', async () => {
      const { phone, laptop } = await userWithTwoDevices();
      await t.http().post('/oauth2/revoke').type('form').send({ token: phone.refresh }).expect(200);
      await refresh(phone.refresh).expect(401);
      await me(phone.access).expect(401);
      await me(laptop.access).expect(200);
    });

    it('answers 200 for unknown, forged and already revoked tokens', async () => {
      await t.http().post('/oauth2/revoke').type('form').send({ token: 'not-a-token' }).expect(200);
      const { phone } = await userWithTwoDevices();
      await t.http().post('/oauth2/revoke').type('form').send({ token: phone.access }).expect(200);
      await t.http().post('/oauth2/revoke').type('form').send({ token: phone.access }).expect(200);
    });

    it('answers 400 invalid_request without a token', async () => {
      const res = await t.http().post('/oauth2/revoke').type('form').send({}).expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('POST /oauth2/introspect (RFC 7662)', () => {
    const introspect = (token: string, auth: string) =>
      t.http().post('/oauth2/introspect').set('authorization', auth).type('form').send({ token });

    it('describes a live access token to a configured client', async () => {
      const { account, phone } = await userWithTwoDevices();
      const res = await introspect(phone.access, basic(CLIENT, CLIENT_SECRET)).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({
        active: true,
        token_type: 'access_token',
        sub: account.id,
        sid: sid(phone.access),
        roles: ['user'],
        exp: expect.any(Number),
      });
    });

    it('describes a refresh token too, and says inactive once revoked', async () => {
      const { phone } = await userWithTwoDevices();
      const live = await introspect(phone.refresh, basic(CLIENT, CLIENT_SECRET)).expect(200);
      expect(live.body).toMatchObject({ active: true, token_type: 'refresh_token' });
      await t.http().post('/auth/logout').auth(phone.access, { type: 'bearer' }).expect(204);
      for (const token of [phone.access, phone.refresh]) {
        expect((await introspect(token, basic(CLIENT, CLIENT_SECRET)).expect(200)).body).toEqual({
          active: false,
        });
      }
    });

    it('says inactive, and nothing more, for garbage', async () => {
      const res = await introspect('garbage', basic(CLIENT, CLIENT_SECRET)).expect(200);
      expect(res.body).toEqual({ active: false });
    });

    it('accepts an admin bearer token', async () => {
      const adminAccount = await t.register({ admin: true });
      const adminTokens = await t.login(adminAccount.email, adminAccount.password);
      const { phone } = await userWithTwoDevices();
      const res = await introspect(phone.access, `Bearer ${adminTokens.access}`).expect(200);
      expect(res.body).toMatchObject({ active: true });
    });

    it('refuses a wrong client secret or no credentials with 401 invalid_client', async () => {
      const { phone } = await userWithTwoDevices();
      for (const auth of [
        basic(CLIENT, 'wrong-secret-wrong-secret'),
        basic('nobody', CLIENT_SECRET),
      ]) {
        const res = await introspect(phone.access, auth).expect(401);
        expect(res.body).toMatchObject({ error: 'invalid_client' });
        expect(res.headers['www-authenticate']).toBe('Basic realm="gatehouse"');
      }
      await t
        .http()
        .post('/oauth2/introspect')
        .type('form')
        .send({ token: phone.access })
        .expect(401);
    });

    it('refuses a non-admin bearer token with 403', async () => {
      const { phone } = await userWithTwoDevices();
      const res = await introspect(phone.access, `Bearer ${phone.access}`).expect(403);
      expect(res.body).toMatchObject({ error: 'insufficient_scope' });
    });
  });

  describe('cleanup', () => {
    it('deletes only rows expired beyond the retention window, in batches', async () => {
      const { account, phone } = await userWithTwoDevices();
      const ds = t.app.get(DataSource);
      const tokens = ds.getRepository(Token);
      const sessions = ds.getRepository(Session);
      const day = 86_400_000;
      const old = new Date(Date.now() - 30 * day);
      const recent = new Date(Date.now() - day);
      // UUIDs, as Gatehouse's ids are (uuid columns on PostgreSQL): family n, token i.
      const id = (n: number, i = 0) => `0000000${n}-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const [oldFamily, recentFamily, oldSession] = [id(1), id(2), id(3)];
      const seed = (n: number, expiresAt: Date, family: string) =>
        Array.from({ length: n }, (_, i) => ({
          jti: `${family.slice(0, 24)}${String(i + 1).padStart(12, '0')}`,
          userId: account.id,
          type: TokenType.Access,
          familyId: family,
          issuedAt: expiresAt,
          expiresAt,
          revoked: false,
        }));
      await tokens.insert(seed(25, old, oldFamily));
      await tokens.insert(seed(5, recent, recentFamily));
      await sessions.insert({
        id: oldSession,
        userId: account.id,
        createdAt: old,
        lastUsedAt: old,
        expiresAt: old,
      });
      const cleanup = t.app.get(TokenCleanupService);
      Object.assign(cleanup as unknown as { config: { cleanupBatchSize: number } }, {
        config: { ...(cleanup as unknown as { config: object }).config, cleanupBatchSize: 7 },
      });
      const result = await cleanup.purgeExpired();
      expect(result.tokens).toBeGreaterThanOrEqual(25);
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      expect(await tokens.countBy({ familyId: oldFamily })).toBe(0);
      expect(await tokens.countBy({ familyId: recentFamily })).toBe(5);
      expect(await sessions.countBy({ id: oldSession })).toBe(0);
      await me(phone.access).expect(200);
    });
  });
});
