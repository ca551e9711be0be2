import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { postJson, meStatus } from './support/app-client';
import {
  SqlClient,
  TestDatabase,
  createTestDatabase,
  openSql,
  serverKinds,
} from './support/databases';
import {
  RunningApp,
  TestRedis,
  buildAppOnce,
  freePort,
  startApp,
  waitFor,
} from './support/processes';
import { TcpProxy } from './support/tcp-proxy';

/** The written bound: 2 × REVOCATION_SYNC_INTERVAL (500 ms by default). */
const BOUND_MS = 1000;
/** What a request takes to reach the check on a busy two-core machine. */
const SLACK_MS = 300;
/** DATABASE_TIMEOUT of both processes. */
const DATABASE_TIMEOUT_MS = 1500;
/** How long a poll for something that does happen may take: generous, it ends when it happens. */
const EVENTUALLY_MS = 10_000;
/** What RevocationBus logs when its caches come on, and the end of what it logs when they go off. */
const IN_SYNC = 'revocations in sync; caches on';
const OUT_OF_SYNC = 'checking every token in the database';

/**
 * The revocation guarantees of the README's table, driven as an operator's worst day would: two
 * app processes on one MariaDB (or PostgreSQL) and one Redis, each reaching Redis through a TCP proxy of its own
 * that can cut or stall, `kill -9` at the worst moments, and a restart on the same stores. Every
 * case asserts the bound and then reads the database to prove the store holds nothing untrue.
 */
describe.each(serverKinds())('revocation under faults (%s, Redis, two processes)', (kind) => {
  let main: string;
  let db: TestDatabase;
  let sql: SqlClient;
  let redis: TestRedis;
  let redisReader: Redis;
  const prefix = `gh-faults-${randomBytes(4).toString('hex')}:`;
  const proxies: Record<'a' | 'b', TcpProxy> = {} as never;
  /** B's way to the database, which a test stalls. */
  let dbProxyB: TcpProxy;
  const apps: Record<'a' | 'b', RunningApp> = {} as never;
  let env: Record<string, string>;
  const account = {
    email: `faults-${randomBytes(4).toString('hex')}@example.com`,
    password: 'faults-pw-1234',
  };

  const start = async (name: 'a' | 'b') => {
    apps[name] = await startApp(main, {
      ...env,
      DATABASE_URL: name === 'b' ? dbProxyB.via(db.url) : db.url,
      REDIS_URL: `redis://127.0.0.1:${proxies[name].port}`,
    });
  };
  const kill9 = (app: RunningApp) =>
    new Promise<void>((resolve) => {
      if (app.process.exitCode !== null || app.process.signalCode !== null) return resolve();
      app.process.once('exit', () => resolve());
      app.process.kill('SIGKILL');
    });

  const post = postJson;
  const me = meStatus;
  const login = async (app: RunningApp) => {
    const res = await post(app, '/auth/login', account);
    expect(res.status).toBe(200);
    return (await res.json()) as { access_token: string; refresh_token: string };
  };
  /** Where Redis holds a token's shared state: under the server's run_id (see SharedTokenStateStore). */
  const stateKey = async (jwt: string) => {
    const runId = /run_id:(\w+)/.exec(await redisReader.info('server'))?.[1];
    return `${prefix}tok:${runId}:${claims(jwt).jti}`;
  };
  const claims = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as {
      jti: string;
      sid: string;
    };
  /** Whether the app's last word on its caches was "on" (it logs each change, and only that). */
  const inSync = (app: RunningApp) =>
    app.stdout().lastIndexOf(IN_SYNC) > app.stdout().lastIndexOf(OUT_OF_SYNC);
  /** Seen live by both instances, twice: cached in both processes and in Redis. */
  const cachedEverywhere = async (token: string) => {
    // An instance whose Redis came back a moment ago (the case before) caches nothing until it
    // is in sync again, and writes no shared state meanwhile: wait for both first.
    await waitFor(
      () => Promise.resolve(inSync(apps.a) && inSync(apps.b)),
      EVENTUALLY_MS,
      'both in sync',
    );
    for (const app of [apps.a, apps.b, apps.a, apps.b]) expect(await me(app, token)).toBe(200);
    await waitFor(
      async () =>
        (await redisReader.get(await stateKey(token)))?.includes('"revoked":false') ?? false,
      EVENTUALLY_MS,
      'live state shared in Redis',
    );
  };
  /**
   * Polls until `app` refuses `token`; returns how long after `since` the first refused request
   * was sent. The ten requests after it must be refused too.
   */
  const refusedAfter = async (app: RunningApp, token: string, since: number) => {
    let sentAt = 0;
    await waitFor(
      async () => {
        sentAt = Date.now();
        return (await me(app, token)) === 401;
      },
      BOUND_MS + 5000,
      'refused',
    );
    const elapsed = sentAt - since;
    for (let i = 0; i < 10; i++) expect(await me(app, token)).toBe(401);
    return elapsed;
  };
  const rows = <T>(query: string, params: unknown[] = []) => sql.rows<T>(query, params);
  // MySQL answers 1 and a number, PostgreSQL true and a bigint's text.
  const sessionRevoked = async (sid: string) =>
    Number(
      (
        await rows<{ revoked: number | boolean }>('SELECT revoked FROM sessions WHERE id = ?', [
          sid,
        ])
      )[0]?.revoked,
    ) === 1;
  const count = async (query: string, params: unknown[] = []) =>
    Number((await rows<{ n: number | string }>(query, params))[0].n);
  const outboxSize = () => count('SELECT COUNT(*) AS n FROM revocation_outbox');

  beforeAll(async () => {
    main = buildAppOnce();
    db = await createTestDatabase(kind);
    sql = await openSql(db);
    redis = new TestRedis(await freePort());
    await redis.start();
    redisReader = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    for (const name of ['a', 'b'] as const) {
      proxies[name] = new TcpProxy(await freePort(), { host: '127.0.0.1', port: redis.port });
      await proxies[name].start();
    }
    dbProxyB = await TcpProxy.before(db.url, await freePort());
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('hex'),
      BCRYPT_COST: '4',
      TOKEN_CLEANUP_INTERVAL: '0',
      RATE_LIMIT_IP: '100000',
      RATE_LIMIT_ACCOUNT: '100000',
      RATE_LIMIT_ANONYMOUS: '100000',
      // Bursts of logins to one account: more at once than a lockout lets be under way.
      LOCKOUT_THRESHOLD: '1000',
      // Info: RevocationBus says when its caches come back on.
      LOG_LEVEL: 'info',
      DATABASE_TIMEOUT: `${DATABASE_TIMEOUT_MS}ms`,
    };
    await start('a');
    await start('b');
    expect((await post(apps.a, '/auth/register', account)).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([apps.a?.stop(), apps.b?.stop()]);
    await Promise.all([proxies.a?.stop(), proxies.b?.stop(), dbProxyB?.stop()]);
    redisReader?.disconnect();
    await redis?.stop();
    await sql?.end();
    await db?.drop();
  });

  afterEach(async () => {
    for (const proxy of [proxies.a, proxies.b, dbProxyB]) {
      proxy.resume();
      await proxy.start();
    }
    // A case that failed between its kill -9 and the restart leaves the next one an instance.
    for (const name of ['a', 'b'] as const) {
      const { exitCode, signalCode } = apps[name].process;
      if (exitCode !== null || signalCode !== null) await start(name);
    }
  }, 60_000);

  it('Redis down for both: a token logged out meanwhile stays refused on both after Redis returns', async () => {
    const token = (await login(apps.a)).access_token;
    await cachedEverywhere(token);
    await Promise.all([proxies.a.stop(), proxies.b.stop()]);

    expect((await post(apps.a, '/auth/logout', {}, token)).status).toBe(204);
    expect(await me(apps.a, token)).toBe(401);
    expect(await me(apps.b, token)).toBe(401);
    // Redis still says "live": it was unreachable when the token was revoked.
    expect(await redisReader.get(await stateKey(token))).toContain('"revoked":false');
    expect(await outboxSize()).toBe(1);

    await waitFor(
      () => Promise.resolve(!inSync(apps.a) && !inSync(apps.b)),
      EVENTUALLY_MS,
      'both off their caches',
    );
    await Promise.all([proxies.a.start(), proxies.b.start()]);
    // From the moment Redis is back until both instances have caught up, and once more after.
    let caughtUp = false;
    while (!caughtUp) {
      caughtUp = inSync(apps.a) && inSync(apps.b);
      expect(await me(apps.a, token)).toBe(401);
      expect(await me(apps.b, token)).toBe(401);
    }
    expect(await redisReader.get(await stateKey(token))).toContain('"revoked":true');
    expect(await outboxSize()).toBe(0);
    // Both cache again: a live token is served, and a logout on one reaches the other through
    // Redis (refusedAfter gives up after 6 s; A's cache would have served it for 60).
    const live = (await login(apps.b)).access_token;
    await cachedEverywhere(live);
    expect((await post(apps.b, '/auth/logout', {}, live)).status).toBe(204);
    await refusedAfter(apps.a, live, Date.now());
  });

  it('Redis cut for the revoking instance: the other refuses within the bound', async () => {
    const token = (await login(apps.b)).access_token;
    await cachedEverywhere(token);
    await proxies.a.stop();

    expect((await post(apps.a, '/auth/logout', {}, token)).status).toBe(204);
    const committed = Date.now();
    expect(await me(apps.a, token)).toBe(401);
    expect(await refusedAfter(apps.b, token, committed)).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
    // B delivered what A could not.
    await waitFor(async () => (await outboxSize()) === 0, EVENTUALLY_MS, 'outbox delivered');
    expect(await redisReader.get(await stateKey(token))).toContain('"revoked":true');
  });

  it('Redis cut for the other instance: it refuses at once, from the database', async () => {
    const token = (await login(apps.a)).access_token;
    await cachedEverywhere(token);
    await proxies.b.stop();

    expect((await post(apps.a, '/auth/logout', {}, token)).status).toBe(204);
    expect(await refusedAfter(apps.b, token, Date.now())).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
    expect(await me(apps.a, token)).toBe(401);
  });

  it('Redis stalled for one instance (no error, no answer): it refuses within the bound', async () => {
    const token = (await login(apps.a)).access_token;
    await cachedEverywhere(token);
    proxies.a.stall();

    expect((await post(apps.b, '/auth/logout', {}, token)).status).toBe(204);
    expect(await refusedAfter(apps.a, token, Date.now())).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
    proxies.a.resume();
    // And back in sync afterwards: a live token served from A, refused on A when B logs it out.
    const live = (await login(apps.b)).access_token;
    await waitFor(async () => (await me(apps.a, live)) === 200, EVENTUALLY_MS, 'A serves');
    expect((await post(apps.b, '/auth/logout', {}, live)).status).toBe(204);
    expect(await refusedAfter(apps.a, live, Date.now())).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
  });

  it('database stalled for one instance: it answers 503 within seconds, revocations still reach it, it recovers', async () => {
    const token = (await login(apps.a)).access_token;
    await cachedEverywhere(token);
    dbProxyB.stall();
    try {
      // Once its last sync is older than the bound, B serves nothing from its cache: it goes to
      // the database, which does not answer.
      await waitFor(
        async () => (await me(apps.b, token)) !== 200,
        EVENTUALLY_MS,
        'B off its cache',
      );
      const started = Date.now();
      const res = await fetch(`${apps.b.base}/users/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(2 * DATABASE_TIMEOUT_MS + SLACK_MS);
      // A logout on A is still refused on B (before and after its database returns).
      expect((await post(apps.a, '/auth/logout', {}, token)).status).toBe(204);
      expect(await me(apps.b, token)).not.toBe(200);
    } finally {
      dbProxyB.resume();
    }
    await waitFor(async () => (await me(apps.b, token)) === 401, EVENTUALLY_MS, 'refused on B');
    const live = (await login(apps.a)).access_token;
    await waitFor(async () => (await me(apps.b, live)) === 200, EVENTUALLY_MS, 'B serves again');
  });

  it('kill -9 between the commit and the publish: the other refuses within the bound, the restarted one at once', async () => {
    const token = (await login(apps.a)).access_token;
    await cachedEverywhere(token);
    // A's Redis goes silent, so its logout hangs in the publish after the commit.
    proxies.a.stall();
    const logout = post(apps.a, '/auth/logout', {}, token).catch(() => undefined);
    await waitFor(() => sessionRevoked(claims(token).sid), EVENTUALLY_MS, 'logout committed');
    const committed = Date.now();
    await kill9(apps.a);
    await logout;

    expect(await refusedAfter(apps.b, token, committed)).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
    proxies.a.resume();
    await start('a');
    expect(await me(apps.a, token)).toBe(401);
    // A never published: what Redis knows, B delivered from the outbox.
    await waitFor(async () => (await outboxSize()) === 0, EVENTUALLY_MS, 'outbox delivered');
    expect(await redisReader.get(await stateKey(token))).toContain('"revoked":true');
  });

  it('kill -9 in a refresh storm: no session holds two live refresh tokens, every answer seen still holds', async () => {
    const sessions = await Promise.all(Array.from({ length: 40 }, () => login(apps.a)));
    const last = sessions.map((s) => s.refresh_token);
    let stop = false;
    let rotations = 0;
    const storm = sessions.map(async (_, i) => {
      while (!stop) {
        const res = await post(apps.a, '/auth/refresh', { refresh_token: last[i] }).catch(
          () => undefined,
        );
        if (!res) return;
        // A refresh either rotates or fails closed: never a 500.
        expect([200, 503]).toContain(res.status);
        if (res.status === 200) {
          last[i] = ((await res.json()) as { refresh_token: string }).refresh_token;
          rotations++;
        }
      }
    });
    // In full swing: as many rotations done as there are sessions, and more under way.
    await waitFor(
      () => Promise.resolve(rotations >= sessions.length),
      EVENTUALLY_MS,
      'refreshes under way',
    );
    await kill9(apps.a);
    stop = true;
    await Promise.all(storm);
    await start('a');

    const doubled = await rows<{ family_id: string }>(
      `SELECT family_id FROM tokens WHERE type = 'refresh' AND revoked = FALSE
       GROUP BY family_id HAVING COUNT(*) > 1`,
    );
    expect(doubled).toEqual([]);
    for (const token of last) {
      const [row] = await rows<{
        revoked: number | boolean;
        revoked_reason: string | null;
        family_id: string;
      }>('SELECT revoked, revoked_reason, family_id FROM tokens WHERE jti = ?', [
        claims(token).jti,
      ]);
      // Live, or rotated by a request whose answer the crash swallowed: then its successor is.
      if (Number(row.revoked) === 1) {
        expect(row.revoked_reason).toBe('rotated');
        const live = await count(
          `SELECT COUNT(*) AS n FROM tokens WHERE family_id = ? AND type = 'refresh' AND revoked = FALSE`,
          [row.family_id],
        );
        expect(live).toBe(1);
      } else {
        const res = await post(apps.b, '/auth/refresh', { refresh_token: token });
        expect(res.status).toBe(200);
      }
    }
  });

  it('kill -9 in a login burst: no token without its session, no session without its tokens', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM sessions');
    const burst = Array.from({ length: 200 }, () =>
      post(apps.a, '/auth/login', account).catch(() => undefined),
    );
    await waitFor(
      async () => (await count('SELECT COUNT(*) AS n FROM sessions')) >= before + 10,
      EVENTUALLY_MS,
      'logins under way',
    );
    await kill9(apps.a);
    await Promise.all(burst);
    await start('a');

    const orphans = await rows(
      `SELECT t.jti FROM tokens t LEFT JOIN sessions s ON s.id = t.family_id WHERE s.id IS NULL`,
    );
    expect(orphans).toEqual([]);
    const incomplete = await rows(
      `SELECT s.id FROM sessions s LEFT JOIN tokens t ON t.family_id = s.id
       GROUP BY s.id HAVING COUNT(t.jti) < 2`,
    );
    expect(incomplete).toEqual([]);
  });
});
