import { databaseKinds } from './support/databases';
import { TestApp, createTestApp, uniqueEmail } from './support/test-app';
import { withWallClock } from './support/wall-clock';

/**
 * Behind a trusted proxy (TRUST_PROXY=loopback) the client address is X-Forwarded-For, so each
 * test here speaks from its own address. Covers the per-address limit and the account lockout.
 */
describe.each(databaseKinds())('lockout and limits behind a trusted proxy on %s', (kind) => {
  let t: TestApp;
  let address = 0;
  const from = () => `192.0.2.${++address}`;

  beforeAll(async () => {
    t = await createTestApp(kind, {
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_IP: '6',
      RATE_LIMIT_ACCOUNT: '1000',
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_BASE_DELAY: '2s',
    });
  });
  afterAll(() => t?.close());

  const login = (ip: string, email: string, password: string) =>
    t.http().post('/auth/login').set('x-forwarded-for', ip).send({ email, password });

  it('counts each forwarded client separately', async () => {
    const a = from();
    const b = from();
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await login(a, uniqueEmail(), 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    expect((await login(b, uniqueEmail(), 'wrong-password')).status).toBe(401);
  });

  it('locks an account after repeated failures, for a delay that grows, even for the right password', async () => {
    const { email, password } = await t.register();
    for (let i = 0; i < 3; i++)
      expect((await login(from(), email, 'wrong-password')).status).toBe(401);
    const locked = await login(from(), email, password);
    expect(locked.status).toBe(429);
    const firstDelay = Number(locked.headers['retry-after']);
    expect(firstDelay).toBeGreaterThanOrEqual(1);
    expect(firstDelay).toBeLessThanOrEqual(2);
    // The lock passes on the clock the app reads, moved past it rather than waited for.
    await withWallClock(async (clock) => {
      clock.advance(firstDelay * 1000);
      // One more failure after the lock: the next lock is twice as long.
      expect((await login(from(), email, 'wrong-password')).status).toBe(401);
      const again = await login(from(), email, password);
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(firstDelay);
    });
  });

  it('locks an unknown email exactly like a real one', async () => {
    const { email } = await t.register();
    const ghost = uniqueEmail();
    for (const target of [email, ghost]) {
      for (let i = 0; i < 3; i++) await login(from(), target, 'wrong-password');
    }
    const real = await login(from(), email, 'wrong-password');
    const fake = await login(from(), ghost, 'wrong-password');
    expect(real.status).toBe(429);
    expect(fake.status).toBe(429);
    // Every answer names its own request; all else must match.
    expect(fake.body).toEqual(real.body);
  });

  it('a success resets the count', async () => {
    const { email, password } = await t.register();
    for (let i = 0; i < 2; i++) await login(from(), email, 'wrong-password');
    expect((await login(from(), email, password)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await login(from(), email, 'wrong-password')).status).toBe(401);
    expect((await login(from(), email, password)).status).toBe(200);
  });

  it('locks the OAuth2 password grant the same way', async () => {
    const { email, password } = await t.register();
    const grant = (pw: string) =>
      t
        .http()
        .post('/auth/token')
        .type('form')
        .set('x-forwarded-for', from())
        .send({ grant_type: 'password', username: email, password: pw });
    for (let i = 0; i < 3; i++) expect((await grant('wrong-password')).status).toBe(400);
    const locked = await grant(password);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
  });
});
