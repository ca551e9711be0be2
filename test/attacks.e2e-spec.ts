import { generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { RedisService } from '../src/redis/redis.service';
import { Session } from '../src/tokens/entities/session.entity';
import { Token } from '../src/tokens/entities/token.entity';
import { TokenStateCache } from '../src/tokens/cache/token-state.cache';
import { UsersService } from '../src/users/users.service';
import { databaseKinds } from './support/databases';
import { b64url, decodeJwt, signJwt } from './support/jwt-forge';
import { rawRequest } from './support/raw-http';
import { TEST_SECRET, TestApp, createTestApp, uniqueEmail } from './support/test-app';

/**
 * Black-box checks of the attack classes of RFC 8725, RFC 6750 and the OWASP JWT cheat sheet,
 * one case per test, each failing if its protection were removed.
 */
describe.each(databaseKinds())('attack resistance on %s', (kind) => {
  let t: TestApp;
  let user: { email: string; password: string; id: string };
  let pair: { access: string; refresh: string };
  let claims: Record<string, unknown>;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await t.register();
    pair = await t.login(user.email, user.password);
    claims = decodeJwt(pair.access);
  });
  afterAll(() => t?.close());

  /** A bearer request; expects 401 with the RFC 6750 challenge, never a 500. */
  const refused = async (token: string) => {
    const res = await t.http().get('/users/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="gatehouse"/);
    return res;
  };
  const accepted = (token: string) =>
    t.http().get('/users/me').auth(token, { type: 'bearer' }).expect(200);

  it('accepts the genuine token (the baseline every forgery below departs from)', async () => {
    await accepted(pair.access);
    await accepted(signJwt(claims));
  });

  describe('forged and confused tokens', () => {
    it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
      await refused(`${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.`);
      await refused(
        `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.${pair.access.split('.')[2]}`,
      );
    });

    it('refuses an empty signature', async () => {
      const [head, body] = pair.access.split('.');
      await refused(`${head}.${body}.`);
    });

    it('refuses a truncated or altered signature', async () => {
      const [head, body, sig] = pair.access.split('.');
      await refused(`${head}.${body}.${sig.slice(0, -4)}`);
      const flipped = sig[5] === 'A' ? 'B' : 'A';
      await refused(`${head}.${body}.${sig.slice(0, 5)}${flipped}${sig.slice(6)}`);
    });

    it('refuses an altered payload under the original signature', async () => {
      const [head, , sig] = pair.access.split('.');
      await refused(`${head}.${b64url({ ...claims, roles: ['admin'] })}.${sig}`);
    });

    it.each(['', 'secret', 'password', 'changeme', 'your-256-bit-secret'])(
      'refuses a token signed with the common secret "%s"',
      async (secret) => {
        await refused(signJwt(claims, secret));
      },
    );

    it.each(['HS384', 'HS512'])('refuses the right secret with %s', async (alg) => {
      await refused(signJwt(claims, TEST_SECRET, { alg, typ: 'JWT' }));
    });

    it.each(['RS256', 'ES256', 'PS256', 'EdDSA'])(
      'refuses a %s header over an HMAC of the secret (key confusion)',
      async (alg) => {
        await refused(signJwt(claims, TEST_SECRET, { alg, typ: 'JWT' }));
      },
    );

    it('never fetches keys named by jku, x5u or kid, and refuses the token', async () => {
      let fetched = 0;
      const server = createServer((_req, res) => {
        fetched++;
        res.end('{}');
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const jwk = publicKey.export({ format: 'jwk' });
        for (const header of [
          { alg: 'RS256', jku: `${url}/jwks.json`, kid: 'attacker' },
          { alg: 'RS256', x5u: `${url}/cert.pem` },
          { alg: 'RS256', jwk },
          { alg: 'HS256', kid: '../../../../dev/null' },
          { alg: 'HS256', kid: "' OR '1'='1" },
        ]) {
          const head = `${b64url(header)}.${b64url(claims)}`;
          const sig =
            header.alg === 'RS256'
              ? signWithKey('sha256', Buffer.from(head), privateKey).toString('base64url')
              : signJwt(claims, '', header).split('.')[2];
          await refused(`${head}.${sig}`);
        }
        expect(fetched).toBe(0);
      } finally {
        server.close();
      }
    });

    it.each([
      ['two segments', () => pair.access.split('.').slice(0, 2).join('.')],
      ['four segments', () => `${pair.access}.${pair.access.split('.')[2]}`],
      [
        'a header that is not JSON',
        () => `${b64url('not json')}.${pair.access.split('.').slice(1).join('.')}`,
      ],
      ['a payload that is not JSON', () => signJwt({}).replace(/\.[^.]+\./, `.${b64url('[]')}.`)],
      ['non-base64url characters', () => pair.access.replace(/\./, '.!')],
      ['an empty token', () => '.'],
    ])('refuses malformed segments: %s', async (_label, make) => {
      await refused(make());
    });

    it('refuses an oversized token without a 500', async () => {
      const big = signJwt({ ...claims, pad: 'x'.repeat(6000) });
      await refused(big);
    });
  });

  describe('claims', () => {
    it('requires exp', async () => {
      const { exp: _exp, ...rest } = claims;
      await refused(signJwt(rest));
    });

    it('refuses exp in the past beyond the leeway, accepts it within', async () => {
      await refused(signJwt({ ...claims, exp: now() - 60 }));
      await accepted(signJwt({ ...claims, exp: now() - 2 }));
    });

    it('honours nbf', async () => {
      await refused(signJwt({ ...claims, nbf: now() + 300 }));
      await accepted(signJwt({ ...claims, nbf: now() - 10 }));
    });

    it('refuses iat in the future', async () => {
      await refused(signJwt({ ...claims, iat: now() + 300 }));
    });

    it('requires the exact issuer and audience', async () => {
      await refused(signJwt({ ...claims, iss: 'https://evil.example' }));
      await refused(signJwt({ ...claims, aud: 'another-api' }));
      await refused(signJwt({ ...claims, aud: [claims.aud, 'another-api'] }));
      const { iss: _iss, ...noIssuer } = claims;
      await refused(signJwt(noIssuer));
    });

    it('requires typ to match the use', async () => {
      await refused(signJwt({ ...claims, typ: 'refresh' }));
      const { typ: _typ, ...untyped } = claims;
      await refused(signJwt(untyped));
      await refused(pair.refresh);
    });

    it("refuses a token whose sub is someone else's", async () => {
      const other = await t.register();
      await refused(signJwt({ ...claims, sub: other.id }));
    });

    it('refuses the tokens of an account disabled, even directly in the database', async () => {
      const victim = await t.register();
      const tokens = await t.login(victim.email, victim.password);
      await accepted(tokens.access);
      await t.app.get(UsersService).setDisabled(victim.id, true);
      // The state was cached as live a moment ago: a disable made outside the API is seen once
      // that entry goes (REVOCATION_CACHE_TTL at most). Let it go now.
      const jti = decodeJwt(tokens.access).jti as string;
      t.app.get(TokenStateCache).invalidate([jti]);
      const redis = t.app.get(RedisService);
      // Shared states live under the Redis server's run_id (SharedTokenStateStore).
      if (redis.enabled) {
        for (const key of await redis.client.keys(redis.key('tok', '*', jti)))
          await redis.client.del(key);
      }
      await refused(tokens.access);
    });

    it('requires jti to name a stored token', async () => {
      await refused(signJwt({ ...claims, jti: '00000000-0000-4000-8000-000000000000' }));
      const { jti: _jti, ...noJti } = claims;
      await refused(signJwt(noJti));
    });
  });

  describe('the bearer header', () => {
    it('accepts the scheme in any letter case', async () => {
      await t.http().get('/users/me').set('authorization', `bEARER ${pair.access}`).expect(200);
    });

    it.each([
      ['two spaces', () => `Bearer  ${pair.access}`],
      ['a trailing word', () => `Bearer ${pair.access} extra`],
      ['no scheme', () => pair.access],
      ['another scheme', () => `Token ${pair.access}`],
      ['the token twice', () => `Bearer ${pair.access},Bearer ${pair.access}`],
    ])('refuses %s', async (_label, header) => {
      const res = await t.http().get('/users/me').set('authorization', header()).expect(401);
      expect(res.headers['www-authenticate']).toBeDefined();
    });

    it('refuses two Authorization headers even when the first is valid', async () => {
      const auth = `Authorization: Bearer ${pair.access}`;
      expect(
        await rawRequest(t.app, `GET /users/me HTTP/1.1\r\nHost: x\r\n${auth}\r\n${auth}`),
      ).toBe(401);
    });

    it('never takes a token from the query string, the body or a cookie', async () => {
      await t.http().get(`/users/me?access_token=${pair.access}`).expect(401);
      await t.http().post('/auth/logout').send({ access_token: pair.access }).expect(401);
      await t
        .http()
        .get('/users/me')
        .set('cookie', `access_token=${pair.access}; token=${pair.access}`)
        .expect(401);
      await accepted(pair.access);
    });
  });

  describe('input and transport', () => {
    const register = (body: unknown, type = 'application/json') =>
      t
        .http()
        .post('/auth/register')
        .set('content-type', type)
        .send(typeof body === 'string' ? body : JSON.stringify(body));

    it.each([
      ['an unknown field', { email: 'x1@example.com', password: 'long password 1', admin: true }],
      ['a number where a string belongs', { email: 'x2@example.com', password: 12345678901 }],
      [
        'an array where a string belongs',
        { email: ['x3@example.com'], password: 'long password 1' },
      ],
      ['an object where a scalar belongs', { email: { $ne: null }, password: 'long password 1' }],
      ['a JSON array body', [{ email: 'x4@example.com', password: 'long password 1' }]],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_label, body) => {
      const res = await register(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      'refuses a %s key, nested or not',
      async (key) => {
        await register(
          `{"email":"p@example.com","password":"long password 1","${key}":{"admin":true}}`,
        ).expect(400);
        await register(`{"email":{"${key}":{"admin":true}},"password":"long password 1"}`).expect(
          400,
        );
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      },
    );

    it.each([
      ['/auth/register', false],
      ['/auth/login', false],
      ['/auth/refresh', false],
      ['/auth/token', false],
      ['/oauth2/revoke', false],
      ['/auth/password', true],
      ['/notes', true],
    ] as const)(
      'answers JSON nested 5,000 levels deep at POST %s with 400 BODY_TOO_DEEP, never a 500',
      async (path, signedIn) => {
        const deep = `{"email":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},"password":"long password 1"}`;
        const deepArray = `${'['.repeat(5000)}${']'.repeat(5000)}`;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signedIn) {
          const user = await t.register();
          headers.authorization = `Bearer ${(await t.login(user.email, user.password)).access}`;
        }
        for (const body of [deep, deepArray]) {
          const res = await t.http().post(path).set(headers).send(body);
          // The OAuth2 endpoints answer in RFC 6749's shape, the others in Gatehouse's.
          const { code, error } = res.body as { code?: string; error?: string };
          expect({ status: res.status, answer: code ?? error }).toEqual({
            status: 400,
            answer:
              path.startsWith('/auth/token') || path.startsWith('/oauth2')
                ? 'invalid_request'
                : 'BODY_TOO_DEEP',
          });
        }
      },
    );

    it('parses query strings and forms flat: bracket nesting builds no objects, and answers 400, never 500', async () => {
      const admin = await t.register({ admin: true });
      const { access } = await t.login(admin.email, admin.password);
      const deepKey = `x${'[a]'.repeat(2000)}`;
      const list = await t
        .http()
        .get(`/admin/users?limit=5&${deepKey}=1`)
        .set('Authorization', `Bearer ${access}`);
      expect({ status: list.status, code: (list.body as { code?: string }).code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      const nested = await t
        .http()
        .get('/admin/users?limit[a][b]=5')
        .set('Authorization', `Bearer ${access}`);
      expect(nested.status).toBe(400);
      const form = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send(`grant_type=password&username${'[a]'.repeat(2000)}=x&password=y`);
      expect({ status: form.status, error: (form.body as { error?: string }).error }).toEqual({
        status: 400,
        error: 'invalid_request',
      });
    });

    it('leaves oversized headers to the HTTP server: 431 before any code of ours runs', async () => {
      const res = await t
        .http()
        .get('/users/me')
        .set('X-Filler', 'x'.repeat(32 * 1024));
      expect(res.status).toBe(431);
    });

    it('answers malformed JSON with 400', async () => {
      const res = await register('{"email": "x@example.com",').expect(400);
      expect(res.body).toMatchObject({ code: 'MALFORMED_BODY' });
    });

    it.each([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ])('answers a %s body on a JSON route with 415', async (type) => {
      const res = await register('email=a%40b.co&password=long+password+1', type).expect(415);
      expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('takes both forms and JSON where the route says so', async () => {
      await t.http().post('/auth/token').type('form').send({ grant_type: 'magic' }).expect(400);
      await t.http().post('/auth/token').send({ grant_type: 'magic' }).expect(400);
      await t
        .http()
        .post('/auth/token')
        .set('content-type', 'text/plain')
        .send('grant_type=magic')
        .expect(415);
    });

    it('answers a body over the limit with 413', async () => {
      const res = await register({ email: 'big@example.com', password: 'x'.repeat(70_000) }).expect(
        413,
      );
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('sends the helmet headers and no X-Powered-By', async () => {
      const res = await t.http().get('/users/me');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['strict-transport-security']).toBeDefined();
    });

    it('keeps CORS closed by default', async () => {
      const res = await t
        .http()
        .options('/auth/login')
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('login and accounts', () => {
    it.each([
      ['shorter than 8 characters', 'Seven77'],
      ['over 72 bytes in UTF-8 (bcrypt would truncate)', 'ü'.repeat(37)],
      ['a common password', 'password123'],
      ['a common password in another case', 'PassWord123'],
    ])('refuses a new password %s with a clear 400', async (_label, password) => {
      const res = await t
        .http()
        .post('/auth/register')
        .send({ email: uniqueEmail(), password })
        .expect(400);
      expect(res.body.details.join(' ')).toMatch(/password/);
    });

    it('normalises Unicode: a password typed composed logs in typed decomposed', async () => {
      const email = uniqueEmail();
      await t
        .http()
        .post('/auth/register')
        .send({ email, password: 'caf\u00e9 au lait' })
        .expect(201);
      await t
        .http()
        .post('/auth/login')
        .send({ email, password: 'cafe\u0301 au lait' })
        .expect(200);
    });

    it('answers an unknown email and a wrong password with the same status, body and headers', async () => {
      const known = await t.register();
      const wrong = await t
        .http()
        .post('/auth/login')
        .send({ email: known.email, password: 'not-the-password' });
      const unknown = await t
        .http()
        .post('/auth/login')
        .send({ email: uniqueEmail(), password: 'not-the-password' });
      expect(unknown.status).toBe(401);
      expect(unknown.status).toBe(wrong.status);
      // Every answer names its own request (a UUID of fixed length); all else must match.
      expect(unknown.body).toEqual(wrong.body);
      expect(unknown.body).not.toHaveProperty('requestId');
      const headers = (res: { headers: Record<string, string> }) =>
        Object.keys(res.headers)
          .filter((h) => !['date', 'etag'].includes(h))
          .sort();
      expect(headers(unknown)).toEqual(headers(wrong));
      expect(unknown.headers['content-length']).toBe(wrong.headers['content-length']);
    });

    it('issues 200 distinct sessions for 200 concurrent logins, two rows each', async () => {
      // 50 accounts, 4 logins each at once: an account takes no more attempts under way than the
      // lockout threshold (5), so that parallel guesses cannot slip past it.
      const accounts = await Promise.all(Array.from({ length: 50 }, () => t.register()));
      const results = await Promise.all(
        accounts.flatMap(({ email, password }) =>
          Array.from({ length: 4 }, () => t.http().post('/auth/login').send({ email, password })),
        ),
      );
      expect(results.map((r) => r.status).every((s) => s === 200)).toBe(true);
      const jtis = new Set(
        results.flatMap((r) => [
          decodeJwt(r.body.access_token).jti,
          decodeJwt(r.body.refresh_token).jti,
        ]),
      );
      expect(jtis.size).toBe(400);
      for (const { id } of accounts) {
        expect(await t.dataSource.getRepository(Token).countBy({ userId: id })).toBe(8);
        expect(await t.dataSource.getRepository(Session).countBy({ userId: id })).toBe(4);
      }
    });
  });
});
