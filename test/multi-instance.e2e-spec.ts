import { randomBytes } from 'node:crypto';
import { postJson, meStatus } from './support/app-client';
import { DatabaseKind, TestDatabase, createTestDatabase, serverKinds } from './support/databases';
import {
  RunningApp,
  TestRedis,
  buildAppOnce,
  freePort,
  startApp,
  waitFor,
} from './support/processes';

/**
 * Two app processes sharing one database and one Redis, as a deployment with several instances
 * would: a token revoked through one must be refused by the other within 100 ms, and still be
 * refused when Redis goes away (the database path takes over).
 */
// On each database reached over the network; on a shared SQLite file where there is none.
const kinds: DatabaseKind[] = serverKinds().length > 0 ? serverKinds() : ['sqlite'];

describe.each(kinds)('two instances sharing the database (%s) and Redis', (kind) => {
  let db: TestDatabase;
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;

  const post = postJson;
  const me = meStatus;
  const account = {
    email: `multi-${randomBytes(4).toString('hex')}@example.com`,
    password: 'multi-instance-pw',
  };
  const login = async (app: RunningApp) => {
    const res = await post(app, '/auth/login', account);
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  beforeAll(async () => {
    const main = buildAppOnce();
    db = await createTestDatabase(kind);
    redis = new TestRedis(await freePort());
    await redis.start();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `gh-multi-${randomBytes(4).toString('hex')}:`,
      JWT_SECRET: randomBytes(48).toString('hex'),
      BCRYPT_COST: '4',
      TOKEN_CLEANUP_INTERVAL: '0',
    };
    // One after the other: the first runs the migrations, as a deployment's first instance would.
    a = await startApp(main, env);
    b = await startApp(main, env);
    expect((await post(a, '/auth/register', account)).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it('refuses on A, within 100 ms, a token logged out on B', async () => {
    const token = await login(a);
    // Both instances have now seen the token live, and cached it.
    expect(await me(a, token)).toBe(200);
    expect(await me(b, token)).toBe(200);
    expect(await me(a, token)).toBe(200);
    expect((await post(b, '/auth/logout', {}, token)).status).toBe(204);
    const elapsed = await waitFor(async () => (await me(a, token)) === 401, 100, 'refused on A');
    expect(elapsed).toBeLessThanOrEqual(100);
  });

  it('still refuses on A a token revoked on B while Redis is down, and serves live ones', async () => {
    const revoked = await login(a);
    const live = await login(b);
    for (const app of [a, b]) {
      expect(await me(app, revoked)).toBe(200);
      expect(await me(app, live)).toBe(200);
    }
    await redis.stop();
    expect((await post(b, '/auth/logout', {}, revoked)).status).toBe(204);
    await waitFor(async () => (await me(a, revoked)) === 401, 1500, 'refused on A without Redis');
    expect(await me(a, revoked)).toBe(401);
    expect(await me(a, live)).toBe(200);
    expect(await me(b, live)).toBe(200);
  });

  it('goes back to pub/sub once Redis returns', async () => {
    await redis.start();
    const token = await login(a);
    // Wait until both instances have resubscribed (they cache again once they have).
    await waitFor(
      async () => (await me(a, token)) === 200 && (await me(b, token)) === 200,
      5000,
      'apps up',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await me(a, token)).toBe(200);
    expect((await post(b, '/auth/logout', {}, token)).status).toBe(204);
    const elapsed = await waitFor(
      async () => (await me(a, token)) === 401,
      100,
      'refused on A after Redis returned',
    );
    expect(elapsed).toBeLessThanOrEqual(100);
  });
});
