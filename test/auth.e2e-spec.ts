import { Repository } from 'typeorm';
import { Token, TokenType } from '../src/tokens/entities/token.entity';
import { databaseKinds } from './support/databases';
import { decodeJwt as decode, signJwt } from './support/jwt-forge';
import {
  TEST_AUDIENCE,
  TEST_ISSUER,
  TestApp,
  createTestApp,
  uniqueEmail,
} from './support/test-app';

describe.each(databaseKinds())('auth flows on %s', (kind) => {
  let t: TestApp;
  let tokens: Repository<Token>;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tokens = t.dataSource.getRepository(Token);
  });
  afterAll(() => t?.close());

  describe('POST /auth/register', () => {
    it('creates an account with a normalised email and never returns the hash', async () => {
      const email = uniqueEmail();
      const res = await t
        .http()
        .post('/auth/register')
        .send({ email: `  ${email.toUpperCase()} `, password: 'long enough password' })
        .expect(201);
      expect(res.body).toMatchObject({ email, roles: ['user'], disabled: false });
      expect(JSON.stringify(res.body)).not.toMatch(/password|\$2[aby]\$/i);
    });

    it('refuses a taken email in any letter case with 409', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/register')
        .send({ email: email.toUpperCase(), password })
        .expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'EMAIL_TAKEN',
        message: expect.any(String),
      });
    });

    it('makes exactly one account of many registrations of one address at once, in any spelling', async () => {
      const email = uniqueEmail();
      // The canonical rule folds case and full-width letters into one address.
      const spellings = [email, email.toUpperCase(), `\uff55${email.slice(1)}`];
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t
            .http()
            .post('/auth/register')
            .send({ email: spellings[i % spellings.length], password: `parallel-pw-${i}` }),
        ),
      );
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(11).fill(409)]);
      const ids = await t.sql<Array<{ id: string }>>('SELECT id FROM users WHERE email = ?', [
        email,
      ]);
      expect(ids).toHaveLength(1);
      expect(answers.find((res) => res.status === 201)?.body.id).toBe(ids[0].id);
    });

    it.each([
      ['an unknown field', { email: 'a@example.com', password: 'password1', roles: ['admin'] }],
      ['a bad email', { email: 'not-an-email', password: 'password1' }],
      ['a short password', { email: 'b@example.com', password: 'short' }],
      ['a password over 72 bytes', { email: 'c@example.com', password: 'é'.repeat(37) }],
      ['an object for a scalar', { email: { $gt: '' }, password: 'password1' }],
      ['a missing password', { email: 'd@example.com' }],
    ])('refuses %s with 400 and the error shape', async (_label, body) => {
      const res = await t.http().post('/auth/register').send(body).expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        details: expect.any(Array),
      });
    });

    it('stores non-Latin emails, and tells accented from plain letters apart', async () => {
      const tag = uniqueEmail().split('@')[0];
      await t
        .http()
        .post('/auth/register')
        .send({ email: `иван-${tag}@example.com`, password: 'first password here' })
        .expect(201);
      await t
        .http()
        .post('/auth/register')
        .send({ email: `jose-${tag}@example.com`, password: 'first password here' })
        .expect(201);
      await t
        .http()
        .post('/auth/register')
        .send({ email: `josé-${tag}@example.com`, password: 'second password here' })
        .expect(201);
      await t
        .http()
        .post('/auth/login')
        .send({ email: `JOSÉ-${tag}@example.com`, password: 'first password here' })
        .expect(401);
      await t
        .http()
        .post('/auth/login')
        .send({ email: `JOSÉ-${tag}@example.com`, password: 'second password here' })
        .expect(200);
    });

    it('applies the length limit to the email as stored (lower-casing can lengthen it)', async () => {
      const email = `${'a'.repeat(64)}@${'İ'.repeat(55)}.${'İ'.repeat(55)}.com`;
      expect(email.length).toBeLessThanOrEqual(254);
      const res = await t.http().post('/auth/register').send({ email, password: 'password-1' });
      expect(res.status).toBe(400);
    });

    it('answers malformed JSON with 400 without echoing the body', async () => {
      const res = await t
        .http()
        .post('/auth/register')
        .set('content-type', 'application/json')
        .send('{"email": "x@example.com", "password": "secret-pass')
        .expect(400);
      expect(res.body).toMatchObject({ code: 'MALFORMED_BODY' });
      expect(JSON.stringify(res.body)).not.toContain('secret-pass');
    });
  });

  describe('POST /auth/login', () => {
    it('returns an access + refresh pair whose claims are pinned', async () => {
      const { email, password, id } = await t.register();
      const res = await t.http().post('/auth/login').send({ email, password }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      const access = decode(res.body.access_token);
      const refresh = decode(res.body.refresh_token);
      expect(access).toMatchObject({
        sub: id,
        typ: 'access',
        iss: TEST_ISSUER,
        aud: TEST_AUDIENCE,
        roles: ['user'],
      });
      expect(refresh).toMatchObject({ sub: id, typ: 'refresh', sid: access.sid });
      expect(access.jti).not.toEqual(refresh.jti);
      expect(access.exp).toBe((access.iat as number) + 900);
      const rows = await tokens.findBy({ familyId: access.sid as string });
      expect(rows.map((r) => r.type).sort()).toEqual([TokenType.Access, TokenType.Refresh]);
      expect(rows.every((r) => !r.revoked && r.userId === id)).toBe(true);
    });

    it('records the client user agent on the token rows', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/login')
        .set('user-agent', 'gatehouse-e2e/1.0')
        .send({ email, password })
        .expect(200);
      const row = await tokens.findOneByOrFail({
        jti: decode(res.body.access_token).jti as string,
      });
      expect(row.userAgent).toBe('gatehouse-e2e/1.0');
      expect(row.ip).toBeTruthy();
    });

    it('accepts the email in another case and with spaces', async () => {
      const { email, password } = await t.register();
      await t
        .http()
        .post('/auth/login')
        .send({ email: ` ${email.toUpperCase()}`, password })
        .expect(200);
    });

    it('answers an unknown email exactly like a wrong password', async () => {
      const { email, password } = await t.register();
      const wrong = await t
        .http()
        .post('/auth/login')
        .send({ email, password: `${password}x` })
        .expect(401);
      const unknown = await t
        .http()
        .post('/auth/login')
        .send({ email: uniqueEmail(), password })
        .expect(401);
      // Every answer names its own request; all else must match.
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    });

    it('refuses a password that bcrypt would truncate instead of matching its prefix', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/login')
        .send({ email, password: password + 'x'.repeat(80) });
      expect(res.status).toBe(400);
    });

    it('never reads credentials from the query string', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post(
          `/auth/login?email=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}`,
        )
        .send({ email: '', password: '' });
      expect(res.status).toBe(400);
    });

    it.each([
      ['no body', undefined],
      ['an empty email', { email: '', password: 'password1' }],
      ['a missing password', { email: 'a@example.com' }],
      ['an unknown field', { email: 'a@example.com', password: 'password1', admin: true }],
      ['a number for the email', { email: 42, password: 'password1' }],
    ])('refuses %s with 400 before checking credentials', async (_label, body) => {
      const res = await t.http().post('/auth/login').send(body).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('POST /auth/token (RFC 6749)', () => {
    it('issues a pair for the password grant', async () => {
      const { email, password } = await t.register();
      const res = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({
          grant_type: 'password',
          username: email,
          password,
          scope: '',
          client_id: 'swagger',
        })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
      await t.http().get('/users/me').auth(res.body.access_token, { type: 'bearer' }).expect(200);
    });

    it('rotates with the refresh_token grant', async () => {
      const { email, password } = await t.register();
      const pair = await t.login(email, password);
      const res = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: pair.refresh })
        .expect(200);
      expect(res.body.refresh_token).not.toBe(pair.refresh);
    });

    it.each([
      [
        'wrong credentials',
        { grant_type: 'password', username: 'nobody@example.com', password: 'password1' },
        'invalid_grant',
      ],
      [
        'a bad refresh token',
        { grant_type: 'refresh_token', refresh_token: 'abc.def.ghi' },
        'invalid_grant',
      ],
      ['an unknown grant', { grant_type: 'client_credentials' }, 'unsupported_grant_type'],
      ['no grant_type', { username: 'a@example.com' }, 'invalid_request'],
      [
        'a missing password',
        { grant_type: 'password', username: 'a@example.com' },
        'invalid_request',
      ],
      [
        'a repeated parameter',
        'grant_type=password&grant_type=password&username=a&password=b',
        'invalid_request',
      ],
    ])('answers %s with 400 %s', async (_label, form, error) => {
      const res = await t.http().post('/auth/token').type('form').send(form).expect(400);
      expect(res.body).toEqual({
        error,
        error_description: expect.any(String),
        statusCode: 400,
      });
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('bearer guard', () => {
    let user: { email: string; password: string; id: string };
    let pair: { access: string; refresh: string };
    beforeAll(async () => {
      user = await t.register();
      pair = await t.login(user.email, user.password);
    });

    it('lets a live access token through to /users/me', async () => {
      const res = await t.http().get('/users/me').auth(pair.access, { type: 'bearer' }).expect(200);
      expect(res.body).toMatchObject({ id: user.id, email: user.email });
    });

    it('accepts the scheme in any letter case', async () => {
      await t.http().get('/users/me').set('authorization', `bEaReR ${pair.access}`).expect(200);
    });

    it('refuses a request without a token with 401 and WWW-Authenticate', async () => {
      const res = await t.http().get('/users/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
      expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('refuses a refresh token used as a bearer token', async () => {
      const res = await t
        .http()
        .get('/users/me')
        .auth(pair.refresh, { type: 'bearer' })
        .expect(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    });
  });

  describe('roles', () => {
    it('refuses /admin/users to a plain user with 403', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const res = await t.http().get('/admin/users').auth(access, { type: 'bearer' }).expect(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lists users to an admin, paginated', async () => {
      const admin = await t.register({ admin: true });
      const { access } = await t.login(admin.email, admin.password);
      const res = await t
        .http()
        .get('/admin/users?limit=2&offset=0')
        .auth(access, { type: 'bearer' })
        .expect(200);
      expect(res.body).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) });
      expect(res.body.items).toHaveLength(2);
      expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
    });

    it('refuses a bad page size with 400', async () => {
      const admin = await t.register({ admin: true });
      const { access } = await t.login(admin.email, admin.password);
      await t.http().get('/admin/users?limit=1000').auth(access, { type: 'bearer' }).expect(400);
      await t.http().get('/admin/users?offset=1e20').auth(access, { type: 'bearer' }).expect(400);
    });

    it('answers 401, not 403, to an anonymous caller', async () => {
      await t.http().get('/admin/users').expect(401);
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair in the same session, the old refresh token revoked', async () => {
      const { email, password } = await t.register();
      const first = await t.login(email, password);
      const res = await t
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: first.refresh })
        .expect(200);
      const second = {
        access: res.body.access_token as string,
        refresh: res.body.refresh_token as string,
      };
      expect(decode(second.refresh).sid).toBe(decode(first.refresh).sid);
      expect(second.refresh).not.toBe(first.refresh);
      const old = await tokens.findOneByOrFail({ jti: decode(first.refresh).jti as string });
      expect(old).toMatchObject({ revoked: true, revokedReason: 'rotated' });
      await t.http().get('/users/me').auth(second.access, { type: 'bearer' }).expect(200);
    });

    it('revokes the whole family when a used refresh token comes back', async () => {
      const { email, password } = await t.register();
      const first = await t.login(email, password);
      const rotated = await t
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: first.refresh })
        .expect(200);
      const reuse = await t
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: first.refresh })
        .expect(401);
      expect(reuse.body).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
      await t
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: rotated.body.refresh_token })
        .expect(401);
      await t
        .http()
        .get('/users/me')
        .auth(rotated.body.access_token, { type: 'bearer' })
        .expect(401);
      const live = await tokens.countBy({
        familyId: decode(first.refresh).sid as string,
        revoked: false,
      });
      expect(live).toBe(0);
    });

    it('lets exactly one of eight concurrent refreshes win and leaves no live family', async () => {
      const { email, password } = await t.register();
      const { refresh } = await t.login(email, password);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.http().post('/auth/refresh').send({ refresh_token: refresh }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || r.status === 401)).toBe(true);
      // The losers saw a used token: reuse detection revoked the family, the winner's pair included.
      const live = await tokens.countBy({
        familyId: decode(refresh).sid as string,
        revoked: false,
      });
      expect(live).toBe(0);
    });

    it('never answers 500 in many rounds of concurrent refreshes of one token racing a logout', async () => {
      const { email, password } = await t.register();
      for (let round = 0; round < 25; round++) {
        const { access, refresh } = await t.login(email, password);
        const [logout, ...refreshes] = await Promise.all([
          t.http().post('/auth/logout').auth(access, { type: 'bearer' }),
          ...Array.from({ length: 6 }, () =>
            t.http().post('/auth/refresh').send({ refresh_token: refresh }),
          ),
        ]);
        // A deadlock between two of them is retried; none may fall through to a 500.
        expect([204, 401]).toContain(logout.status);
        for (const r of refreshes) expect([200, 401]).toContain(r.status);
        expect(refreshes.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
        const live = await tokens.countBy({
          familyId: decode(refresh).sid as string,
          revoked: false,
        });
        expect(live).toBe(0);
      }
    });

    it('refuses an access token presented as a refresh token', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const res = await t.http().post('/auth/refresh').send({ refresh_token: access }).expect(401);
      expect(res.body).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    });

    it('refuses a forged refresh token whose jti is unknown', async () => {
      const { email, password } = await t.register();
      const { refresh } = await t.login(email, password);
      const forged = signJwt({ ...decode(refresh), jti: '00000000-0000-4000-8000-000000000001' });
      await t.http().post('/auth/refresh').send({ refresh_token: forged }).expect(401);
    });

    it('refuses a missing refresh_token with 400', async () => {
      await t.http().post('/auth/refresh').send({}).expect(400);
    });
  });

  describe('POST /auth/logout', () => {
    it('revokes the access token and its refresh token, and only that session', async () => {
      const { email, password } = await t.register();
      const phone = await t.login(email, password);
      const laptop = await t.login(email, password);
      await t.http().post('/auth/logout').auth(phone.access, { type: 'bearer' }).expect(204);
      await t.http().get('/users/me').auth(phone.access, { type: 'bearer' }).expect(401);
      const refreshed = await t
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: phone.refresh })
        .expect(401);
      expect(refreshed.body).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
      await t.http().get('/users/me').auth(laptop.access, { type: 'bearer' }).expect(200);
    });

    it('needs a bearer token', async () => {
      await t.http().post('/auth/logout').expect(401);
    });
  });
});
