import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/server/database.config';
import { buildDataSourceOptions } from '../src/server/typeorm-options';
import { Token } from '../src/tokens/entities/token.entity';
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

/** What RevocationBus logs when its caches come on, and the end of what it logs when they go off. */
const IN_SYNC = 'revocations in sync; caches on';
const OUT_OF_SYNC = 'checking every token in the database';

/**
 * Two app processes sharing one database and one Redis, as a deployment with several instances
 * would: a token revoked through one must be refused by the other, through Redis, although its
 * cache would serve it for an hour; and still be refused when Redis goes away (the database path
 * takes over). How fast is for bench/, not for a test: here, each case shows which path did it.
 */
// On each database reached over the network; on a shared SQLite file where there is none.
const kinds: DatabaseKind[] = serverKinds().length > 0 ? serverKinds() : ['sqlite'];

describe.each(kinds)('two instances sharing the database (%s) and Redis', (kind) => {
  let db: TestDatabase;
  let direct: DataSource;
  let redis: TestRedis;
  let redisUp = false;
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
  const jti = (jwt: string) =>
    (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
  /** Whether the app's last word on its caches was "on" (it logs each change, and only that). */
  const inSync = (app: RunningApp) =>
    app.stdout().lastIndexOf(IN_SYNC) > app.stdout().lastIndexOf(OUT_OF_SYNC);
  const bothInSync = () =>
    waitFor(() => Promise.resolve(inSync(a) && inSync(b)), 20_000, 'both instances in sync');
  const bothOutOfSync = () =>
    waitFor(() => Promise.resolve(!inSync(a) && !inSync(b)), 20_000, 'both instances off Redis');
  const startRedis = async () => {
    await redis.start();
    redisUp = true;
  };
  const stopRedis = async () => {
    redisUp = false;
    await redis.stop();
  };
  /**
   * A token both instances hold as live in their caches, shown so: revoked in the database
   * behind their backs (no message, no outbox), it is still served by both.
   */
  const cachedOnBoth = async () => {
    const token = await login(a);
    for (const app of [a, b, a, b]) expect(await me(app, token)).toBe(200);
    await direct.getRepository(Token).update({ jti: jti(token) }, { revoked: true });
    for (const app of [a, b]) expect(await me(app, token)).toBe(200);
    return token;
  };

  beforeAll(async () => {
    const main = buildAppOnce();
    db = await createTestDatabase(kind);
    redis = new TestRedis(await freePort());
    await startRedis();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `gh-multi-${randomBytes(4).toString('hex')}:`,
      JWT_SECRET: randomBytes(48).toString('hex'),
      BCRYPT_COST: '4',
      TOKEN_CLEANUP_INTERVAL: '0',
      // A cached state would be served for an hour: whatever refuses a token sooner is the news
      // of its revocation reaching the instance (or the instance no longer trusting its cache).
      REVOCATION_CACHE_TTL: '1h',
      // Trust, renewed at every sync, lasts twice this: a sync running late on a busy machine
      // must not turn the caches off mid-test.
      REVOCATION_SYNC_INTERVAL: '5s',
    };
    // One after the other: the first runs the migrations, as a deployment's first instance would.
    a = await startApp(main, env);
    b = await startApp(main, env);
    direct = new DataSource({
      ...buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url })),
      migrationsRun: false,
    });
    await direct.initialize();
    expect((await post(a, '/auth/register', account)).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    if (direct?.isInitialized) await direct.destroy();
    await db?.drop();
  });

  // Each case starts from a Redis that is up and both instances caching.
  beforeEach(async () => {
    if (!redisUp) await startRedis();
    await bothInSync();
  }, 30_000);

  it('refuses on A a token logged out on B, through Redis, although its cache would serve it for an hour', async () => {
    const control = await cachedOnBoth();
    const token = await login(a);
    for (const app of [a, b, a]) expect(await me(app, token)).toBe(200);
    expect((await post(b, '/auth/logout', {}, token)).status).toBe(204);
    await waitFor(async () => (await me(a, token)) === 401, 10_000, 'refused on A');
    // A still serves from its cache: the refusal was the message about this token, nothing else.
    expect(await me(a, control)).toBe(200);
  });

  it('still refuses on A a token revoked on B while Redis is down, and serves live ones', async () => {
    const revoked = await login(a);
    const live = await login(b);
    for (const app of [a, b]) {
      expect(await me(app, revoked)).toBe(200);
      expect(await me(app, live)).toBe(200);
    }
    await stopRedis();
    expect((await post(b, '/auth/logout', {}, revoked)).status).toBe(204);
    await waitFor(async () => (await me(a, revoked)) === 401, 10_000, 'refused on A without Redis');
    expect(await me(a, revoked)).toBe(401);
    expect(await me(a, live)).toBe(200);
    expect(await me(b, live)).toBe(200);
  });

  it('goes back to pub/sub once Redis returns', async () => {
    await stopRedis();
    await bothOutOfSync();
    await startRedis();
    // Both have resubscribed and caught up: they cache again.
    await bothInSync();

    const control = await cachedOnBoth();
    const token = await login(a);
    for (const app of [a, b, a]) expect(await me(app, token)).toBe(200);
    expect((await post(b, '/auth/logout', {}, token)).status).toBe(204);
    await waitFor(
      async () => (await me(a, token)) === 401,
      10_000,
      'refused on A after Redis returned',
    );
    expect(await me(a, control)).toBe(200);
  });
});
