import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { TestDatabase, createTestDatabase, databaseKinds, redisEnvFor } from './support/databases';
import { RunningApp, buildAppOnce, startApp, waitFor } from './support/processes';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  at: number;
}

/**
 * A JSON request over a keep-alive agent, as a proxy or a client library would send it. With
 * `inHand`, its head asks `Expect: 100-continue` and the body waits for the server's 100: `sent`
 * then means the server has read the request and is serving it, not only that it left.
 */
function send(
  agent: Agent,
  base: string,
  method: string,
  path: string,
  body?: object,
  { inHand = false } = {},
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let written!: () => void;
  const sent = new Promise<void>((ok) => (written = ok));
  const answer = new Promise<Answer>((ok, fail) => {
    const req = request(`${base}${path}`, {
      method,
      agent,
      headers: {
        ...(payload ? { 'content-type': 'application/json' } : {}),
        ...(inHand ? { expect: '100-continue' } : {}),
      },
    });
    req.on('error', fail);
    if (inHand) {
      // Node's server answers 100 itself once it has parsed the head and handed it on.
      req.on('continue', () => {
        req.end(payload);
        written();
      });
      req.flushHeaders();
    } else {
      req.on('finish', () => written());
    }
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        ok({
          status: res.statusCode ?? 0,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          at: Date.now(),
        }),
      );
    });
    if (!inHand) req.end(payload);
  });
  return { sent, answer };
}

/** Whether a fresh TCP connection to the app's port is refused. */
function refused(base: string): Promise<boolean> {
  const { hostname, port } = new URL(base);
  return new Promise((ok) => {
    const socket = connect(Number(port), hostname);
    socket.on('connect', () => (socket.destroy(), ok(false)));
    socket.on('error', (error: NodeJS.ErrnoException) => ok(error.code === 'ECONNREFUSED'));
  });
}

describe.each(databaseKinds())(
  `graceful shutdown on %s (${process.env.HTTP_ADAPTER ?? 'express'})`,
  (kind) => {
    let db: TestDatabase;
    let app: RunningApp;
    // Each client keeps its socket open between requests, as browsers and proxies do.
    const idleClient = new Agent({ keepAlive: true });
    const loginClient = new Agent({ keepAlive: true });

    beforeAll(async () => {
      const main = buildAppOnce();
      db = await createTestDatabase(kind);
      app = await startApp(main, {
        ...redisEnvFor(kind),
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        JWT_SECRET: randomBytes(48).toString('hex'),
        // ~1 s per bcrypt compare here: long enough to signal while a login is being checked.
        BCRYPT_COST: '13',
        TOKEN_CLEANUP_INTERVAL: '0',
      });
    }, 120_000);

    afterAll(async () => {
      idleClient.destroy();
      loginClient.destroy();
      await app?.stop();
      await db?.drop();
    });

    it('finishes the login in flight, refuses new connections, closes idle ones and exits 0', async () => {
      const account = { email: `shutdown-${Date.now()}@example.com`, password: 'pw-shutdown-1' };
      const registered = await send(loginClient, app.base, 'POST', '/auth/register', account)
        .answer;
      expect(registered.status).toBe(201);
      // A second client, idle on an open keep-alive socket when the signal comes.
      expect((await send(idleClient, app.base, 'GET', '/health/live').answer).status).toBe(200);
      const exited = new Promise<{ code: number | null; at: number }>((ok) =>
        app.process.once('exit', (code) => ok({ code, at: Date.now() })),
      );

      const login = send(loginClient, app.base, 'POST', '/auth/login', account, { inHand: true });
      // Set if the login is answered before it should be: shows what answered instead.
      let early: Answer | undefined;
      void login.answer.then((a) => (early = a));
      // The app has the request in hand: its socket is busy, not idle, when the signal comes.
      await login.sent;
      expect(early).toBeUndefined();
      const signalledAt = Date.now();
      app.process.kill('SIGTERM');

      // New connections are refused while the login is still being served.
      await waitFor(() => refused(app.base), 2_000, 'port closed to new connections');
      expect(early).toBeUndefined();

      const answer = await login.answer;
      expect(answer.at).toBeGreaterThan(signalledAt);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(
        expect.objectContaining({
          access_token: expect.any(String),
          refresh_token: expect.any(String),
          token_type: 'Bearer',
        }),
      );

      // Neither the idle socket nor the login's own keep-alive socket may hold the exit back
      // until a keep-alive timeout (5 s on Express, 72 s on Fastify).
      const exit = await exited;
      expect({ code: exit.code, output: exit.code === 0 ? '' : app.output() }).toEqual({
        code: 0,
        output: '',
      });
      expect(exit.at - answer.at).toBeLessThan(2_000);
      expect(await refused(app.base)).toBe(true);
    }, 30_000);
  },
);
