import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/server/database.config';
import { buildDataSourceOptions } from '../src/server/typeorm-options';
import { Token } from '../src/tokens/entities/token.entity';
import { serverKinds } from './support/databases';
import { freePort, waitFor } from './support/processes';
import { TcpProxy } from './support/tcp-proxy';
import { TestApp, createTestApp } from './support/test-app';

/** DATABASE_TIMEOUT for this suite: how long one wait on a database that never answers may take. */
const TIMEOUT_MS = 1500;

/**
 * The database goes away (its TCP connections cut, new ones refused) and comes back. While it is
 * gone, everything that needs it answers 503, no token is issued and no refresh token is spent;
 * afterwards the app serves again without a restart. On the databases reached by network.
 */
describe.each(serverKinds())('database outage (%s)', (kind) => {
  let t: TestApp;
  let proxy: TcpProxy;
  let account: { email: string; password: string; id: string };
  let pair: { access: string; refresh: string };

  beforeAll(async () => {
    const server = (
      kind === 'mysql' ? process.env.TEST_MYSQL_URL : process.env.TEST_POSTGRES_URL
    ) as string;
    proxy = await TcpProxy.before(server, await freePort());
    t = await createTestApp(
      kind,
      { REVOCATION_CACHE_TTL: '0', DATABASE_TIMEOUT: `${TIMEOUT_MS}ms` },
      (url) => proxy.via(url),
    );
    account = await t.register();
  });
  // Each case signs in afresh (a case may spend its refresh token), and leaves the database
  // reachable and serving for the next.
  beforeEach(async () => {
    pair = await t.login(account.email, account.password);
  });
  afterEach(async () => {
    proxy.resume();
    await proxy.start();
    await servingAgain();
  }, 30_000);
  afterAll(async () => {
    await proxy.start();
    await t?.close();
    await proxy.stop();
  });

  async function counts() {
    // Straight to the database, past the proxy.
    const direct = new DataSource({
      ...buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: t.db.url })),
      migrationsRun: false,
    });
    await direct.initialize();
    try {
      return {
        tokens: await direct.getRepository(Token).count(),
        liveRefresh: await direct
          .getRepository(Token)
          .countBy({ jti: decodeJti(pair.refresh), revoked: false }),
      };
    } finally {
      await direct.destroy();
    }
  }
  /** Until a request that needs the database is served: the pool has found it again. */
  const servingAgain = () =>
    waitFor(
      async () => (await t.http().get('/health/ready')).status === 200,
      10_000,
      'serving again',
    );
  const decodeJti = (jwt: string) =>
    (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { jti: string }).jti;

  it('answers 503 with Retry-After while the database is gone, and issues or spends nothing', async () => {
    const before = await counts();
    await proxy.stop();

    const me = await t.http().get('/users/me').auth(pair.access, { type: 'bearer' });
    expect(me.status).toBe(503);
    expect(me.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(me.headers['retry-after']).toBe('5');

    const login = await t
      .http()
      .post('/auth/login')
      .send({ email: account.email, password: account.password });
    expect(login.status).toBe(503);
    expect(login.body.access_token).toBeUndefined();

    const grant = await t
      .http()
      .post('/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: account.email, password: account.password });
    expect(grant.status).toBe(503);
    expect(grant.body).toMatchObject({ error: 'temporarily_unavailable' });

    const refresh = await t.http().post('/auth/refresh').send({ refresh_token: pair.refresh });
    expect(refresh.status).toBe(503);
    expect(refresh.body.refresh_token).toBeUndefined();

    expect((await t.http().post('/auth/logout').auth(pair.access, { type: 'bearer' })).status).toBe(
      503,
    );
    expect(
      (
        await t
          .http()
          .post('/auth/register')
          .send({ email: 'outage@example.com', password: 'a good password' })
      ).status,
    ).toBe(503);

    await proxy.start();
    const after = await counts();
    expect(after.tokens).toBe(before.tokens);
    expect(after.liveRefresh).toBe(1);
  });

  it('answers 503 within seconds while the database hangs (connections open, no answer), then recovers', async () => {
    await t.http().get('/users/me').auth(pair.access, { type: 'bearer' }).expect(200);
    const before = await counts();
    proxy.stall();
    try {
      // More requests at once than the pool has connections: the queue for one is bounded too.
      const started = Date.now();
      const answers = await Promise.all([
        ...Array.from({ length: 15 }, () =>
          t.http().get('/users/me').auth(pair.access, { type: 'bearer' }),
        ),
        t.http().post('/auth/login').send({ email: account.email, password: account.password }),
        t.http().post('/auth/refresh').send({ refresh_token: pair.refresh }),
      ]);
      const elapsed = Date.now() - started;
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body.access_token).toBeUndefined();
      }
      // One query's timeout, plus one wait for a connection: the bound of the README.
      expect(elapsed).toBeLessThan(2 * TIMEOUT_MS + 1000);
    } finally {
      proxy.resume();
    }
    await waitFor(
      async () =>
        (await t.http().get('/users/me').auth(pair.access, { type: 'bearer' })).status === 200,
      10_000,
      'serving again',
    );
    const after = await counts();
    expect(after.tokens).toBe(before.tokens);
    expect(after.liveRefresh).toBe(1);
  });

  it('serves again once the database is back, without a restart', async () => {
    await proxy.stop();
    await t.http().get('/users/me').auth(pair.access, { type: 'bearer' }).expect(503);
    await proxy.start();
    await servingAgain();
    await t.http().get('/users/me').auth(pair.access, { type: 'bearer' }).expect(200);
    const rotated = await t
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: pair.refresh })
      .expect(200);
    await t.http().get('/users/me').auth(rotated.body.access_token, { type: 'bearer' }).expect(200);
    await t
      .http()
      .post('/auth/login')
      .send({ email: account.email, password: account.password })
      .expect(200);
  });
});
