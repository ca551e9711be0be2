import { databaseKinds } from './support/databases';
import { TestRedis, freePort, waitFor } from './support/processes';
import { TestApp, createTestApp, uniqueEmail } from './support/test-app';

describe.each(databaseKinds())('health probes on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  const withRedis = kind !== 'sqlite' && Boolean(process.env.TEST_REDIS_URL);

  it('answers liveness without a token, and not from a cache', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it(`reports the database${withRedis ? ' and Redis' : ''} ready`, async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const expected = withRedis
      ? { database: { status: 'up' }, redis: { status: 'up' } }
      : { database: { status: 'up' } };
    expect(res.body).toEqual({ status: 'ok', info: expected, error: {}, details: expected });
  });

  it('documents both probes as public, under the health tag', async () => {
    const { paths } = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, { get?: { tags?: string[]; security?: unknown[] } }>;
    };
    for (const path of ['/health/live', '/health/ready']) {
      expect(paths[path]?.get).toEqual(
        expect.objectContaining({ tags: ['operations'], security: [] }),
      );
    }
  });
});

describe('health probes and rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { RATE_LIMIT_IP: '2' });
  });
  afterAll(() => t?.close());

  it('never count against the per-address budget', async () => {
    for (let i = 0; i < 5; i++) {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/health/ready').expect(200);
    }
    const register = () =>
      t.http().post('/auth/register').send({ email: uniqueEmail(), password: 'pw-health-1' });
    // The whole budget of two is still there after ten probes, and it is enforced.
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(429);
    await t.http().get('/health/ready').expect(200);
  });
});

describe('readiness when Redis goes away', () => {
  let t: TestApp;
  let redis: TestRedis;
  beforeAll(async () => {
    redis = new TestRedis(await freePort());
    await redis.start();
    t = await createTestApp('sqlite', { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'gh-health:' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const ready = () => t.http().get('/health/ready');

  it('answers 503 in terminus shape while Redis is down, live stays 200, and recovers', async () => {
    expect((await ready()).body).toEqual(
      expect.objectContaining({
        status: 'ok',
        info: expect.objectContaining({ redis: { status: 'up' } }),
      }),
    );

    await redis.stop();
    await waitFor(async () => (await ready()).status === 503, 5_000, 'readiness down');
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.headers['cache-control']).toBe('no-store');
    expect(down.body).toEqual({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down', message: expect.any(String) } },
      details: {
        database: { status: 'up' },
        redis: { status: 'down', message: expect.any(String) },
      },
    });
    // Liveness checks no dependency: an outage must not get the instance restarted.
    await t.http().get('/health/live').expect(200);

    await redis.start();
    await waitFor(async () => (await ready()).status === 200, 10_000, 'readiness back');
  }, 30_000);
});
