import { randomBytes } from 'node:crypto';
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
  context?: string;
  requestId?: string;
  audit?: string;
  [field: string]: unknown;
}

interface Answer {
  status: number;
  requestId: string | null;
  body: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The claims of a JWT, read without verifying: only to learn which session it names. */
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { sid: string };

/**
 * The app as a real process, its stdout captured: every line JSON, the request's id on each line
 * of the request, in the `X-Request-Id` header and in error bodies, one audit line per security
 * event, and no password, token or secret anywhere. Runs on the adapter HTTP_ADAPTER names.
 */
describe.each(databaseKinds())('logs on %s', (kind: DatabaseKind) => {
  const jwtSecret = randomBytes(48).toString('hex');
  const email = `logs-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const ghost = `ghost-${randomBytes(4).toString('hex')}@example.com`;
  const badToken = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.bad`;
  const longId = 'x'.repeat(300);
  const injectedId = 'abc","audit":"login.success';
  let db: TestDatabase;
  let app: RunningApp;

  const call = async (
    method: string,
    path: string,
    opts: { body?: object; token?: string; requestId?: string } = {},
  ): Promise<Answer> => {
    const res = await fetch(app.base + path, {
      method,
      headers: {
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.requestId !== undefined ? { 'x-request-id': opts.requestId } : {}),
      },
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    return {
      status: res.status,
      requestId: res.headers.get('x-request-id'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  /** The log's complete lines: the last one may still be on its way through the pipe. */
  const lines = (): LogLine[] => {
    const out = app.stdout();
    return out
      .slice(0, out.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogLine);
  };
  const auditLines = (event: string) => lines().filter((line) => line.audit === event);

  // What the flows below produced, for the assertions.
  const seen = {} as Record<string, Answer> & { guesses: Answer[] };
  let tokens: { access: string; refresh: string; rotatedAccess: string; rotatedRefresh: string };
  let userId: string;
  let secondSession: { access: string; refresh: string };

  beforeAll(async () => {
    const main = buildAppOnce();
    db = await createTestDatabase(kind);
    app = await startApp(main, {
      ...redisEnvFor(kind),
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      JWT_SECRET: jwtSecret,
      BCRYPT_COST: '4',
      TOKEN_CLEANUP_INTERVAL: '0',
      LOG_LEVEL: 'debug',
      // Low enough for one email to be locked, then rate-limited, in a few attempts.
      LOCKOUT_THRESHOLD: '2',
      RATE_LIMIT_ACCOUNT: '6',
    });

    const registered = await call('POST', '/auth/register', { body: { email, password } });
    expect(registered.status).toBe(201);
    userId = registered.body.id as string;
    seen.wrongPassword = await call('POST', '/auth/login', {
      body: { email, password: `${password}-wrong` },
    });
    seen.unknownEmail = await call('POST', '/auth/login', {
      body: { email: `nobody-${email}`, password },
    });
    seen.login = await call('POST', '/auth/login', {
      body: { email, password },
      requestId: 'e2e-login',
    });
    expect(seen.login.status).toBe(200);
    const access = seen.login.body.access_token as string;
    const refresh = seen.login.body.refresh_token as string;
    expect((await call('GET', '/users/me', { token: access })).status).toBe(200);
    seen.refresh = await call('POST', '/auth/refresh', { body: { refresh_token: refresh } });
    expect(seen.refresh.status).toBe(200);
    tokens = {
      access,
      refresh,
      rotatedAccess: seen.refresh.body.access_token as string,
      rotatedRefresh: seen.refresh.body.refresh_token as string,
    };
    seen.reuse = await call('POST', '/auth/refresh', { body: { refresh_token: refresh } });
    expect(seen.reuse.status).toBe(401);
    // Reuse ended that session: log in again, and out.
    const again = await call('POST', '/auth/login', { body: { email, password } });
    secondSession = {
      access: again.body.access_token as string,
      refresh: again.body.refresh_token as string,
    };
    seen.logout = await call('POST', '/auth/logout', { token: secondSession.access });
    expect(seen.logout.status).toBe(204);
    seen.badToken = await call('GET', '/users/me', {
      token: badToken,
      requestId: 'test-abc.123',
    });
    seen.longId = await call('GET', '/users/me', { token: badToken, requestId: longId });
    seen.injectedId = await call('GET', '/users/me', { requestId: injectedId });
    // Guessing one account's password: 2 failures, then locked (429), then over its budget (429).
    seen.guesses = [];
    for (let i = 0; i < 7; i++) {
      seen.guesses.push(
        await call('POST', '/auth/login', { body: { email: ghost, password: `guess-${i}-pw` } }),
      );
    }
    expect(seen.guesses.map((g) => g.status)).toEqual([401, 401, 429, 429, 429, 429, 429]);
    // The log is written asynchronously: wait for the line of the last request.
    const last = seen.guesses[6];
    await waitFor(
      () => Promise.resolve(lines().some((l) => l.requestId === last.requestId && l.res)),
      10_000,
      'the last request logged',
    );
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('writes nothing but JSON lines on stdout', () => {
    const raw = app.stdout().split('\n').filter(Boolean);
    expect(raw.length).toBeGreaterThan(20);
    for (const line of raw) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('never logs a password, a token, the JWT secret or an email', () => {
    const out = app.stdout();
    const secrets = {
      password,
      jwtSecret,
      badToken,
      email,
      ghost,
      ...tokens,
      secondAccess: secondSession.access,
      secondRefresh: secondSession.refresh,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, logged: out.includes(value) }).toEqual({ name, logged: false });
    }
    // Request lines name the path, the address and the user agent; no header is copied in.
    const requestLines = lines().filter((l) => l.req);
    expect(requestLines.length).toBeGreaterThan(5);
    for (const line of requestLines)
      expect(Object.keys(line.req as object).sort()).toEqual([
        'id',
        'ip',
        'method',
        'url',
        'userAgent',
      ]);
  });

  it('echoes a sane X-Request-Id, and puts it in the error body and on every line of the request', () => {
    expect(seen.badToken.status).toBe(401);
    expect(seen.badToken.requestId).toBe('test-abc.123');
    expect(seen.badToken.body.requestId).toBe('test-abc.123');
    const ofRequest = lines().filter((l) => l.requestId === 'test-abc.123');
    // The guard's reason for refusing the token, and the request line itself.
    expect(ofRequest.map((l) => l.context ?? l.msg)).toEqual(['JwtAuthGuard', 'GET /users/me 401']);
    expect(ofRequest[1]).toMatchObject({ req: { id: 'test-abc.123', url: '/users/me' } });
  });

  it('gives every request an id: a UUID when the caller sent none', () => {
    for (const answer of [seen.wrongPassword, seen.refresh, seen.logout]) {
      expect(answer.requestId).toMatch(UUID);
      expect(lines().some((l) => l.requestId === answer.requestId && l.res)).toBe(true);
    }
    // In the header only: a fresh id in the body would tell apart answers that must be identical.
    expect(seen.wrongPassword.body).not.toHaveProperty('requestId');
    expect(seen.unknownEmail.body).toEqual(seen.wrongPassword.body);
  });

  it.each([
    ['300 characters long', () => seen.longId],
    ['trying to inject JSON into the log', () => seen.injectedId],
  ])('replaces an X-Request-Id %s', (_why, answer) => {
    const { requestId, body, status } = answer();
    expect(status).toBe(401);
    expect(requestId).toMatch(UUID);
    expect(body).not.toHaveProperty('requestId');
    expect(lines().some((l) => l.requestId === longId || l.requestId === injectedId)).toBe(false);
  });

  it('audits a failed login with its reason, and nothing that tells whether the email exists', () => {
    const failures = auditLines('login.failure');
    const wrong = failures.find((l) => l.requestId === seen.wrongPassword.requestId);
    const unknown = failures.find((l) => l.requestId === seen.unknownEmail.requestId);
    expect(wrong).toMatchObject({
      context: 'Audit',
      reason: 'invalid_credentials',
      ip: '127.0.0.1',
    });
    // Alike but for the time and the request they belong to.
    expect(unknown).toEqual({
      ...wrong,
      time: expect.any(String),
      requestId: seen.unknownEmail.requestId,
    });
    expect(wrong).not.toHaveProperty('userId');
  });

  it('audits a locked account and an exhausted budget as warnings, without the email', () => {
    const [, , firstLocked, , , , limited] = seen.guesses;
    expect(lines().filter((l) => l.requestId === firstLocked.requestId && l.audit)).toEqual([
      expect.objectContaining({ level: 'warn', audit: 'login.failure', reason: 'locked' }),
    ]);
    expect(lines().filter((l) => l.requestId === limited.requestId && l.audit)).toEqual([
      expect.objectContaining({
        level: 'warn',
        audit: 'rate_limited',
        limit: 'account',
        ip: '127.0.0.1',
      }),
    ]);
  });

  it('audits a login with the user, the session and the client address', () => {
    const [success] = auditLines('login.success').filter((l) => l.requestId === 'e2e-login');
    expect(success).toMatchObject({
      level: 'info',
      context: 'Audit',
      userId,
      sessionId: claimsOf(tokens.access).sid,
      ip: '127.0.0.1',
    });
  });

  it('audits a refresh, and a reused refresh token as a warning', () => {
    const sessionId = claimsOf(tokens.access).sid;
    expect(auditLines('refresh')).toEqual([
      expect.objectContaining({ requestId: seen.refresh.requestId, userId, sessionId }),
    ]);
    expect(auditLines('refresh.reuse_detected')).toEqual([
      expect.objectContaining({
        level: 'warn',
        requestId: seen.reuse.requestId,
        userId,
        sessionId,
        revokedTokens: 3,
      }),
    ]);
  });

  it('audits a logout', () => {
    expect(auditLines('logout')).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'Audit',
        requestId: seen.logout.requestId,
        userId,
        sessionId: claimsOf(secondSession.access).sid,
      }),
    ]);
  });
});
