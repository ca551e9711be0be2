import { databaseKinds } from './support/databases';
import { TestApp, createTestApp, uniqueEmail } from './support/test-app';

/**
 * Rate limits and lockout without a trusted proxy: every request here comes from 127.0.0.1, and
 * X-Forwarded-For must change nothing. Limits are small so the suite trips them quickly.
 */
describe.each(databaseKinds())('brute-force limits on %s', (kind) => {
  let t: TestApp;
  // An app per case: each spends the address's budget from the start, whatever ran before it.
  beforeEach(async () => {
    t = await createTestApp(kind, {
      RATE_LIMIT_IP: '20',
      RATE_LIMIT_ACCOUNT: '4',
      RATE_LIMIT_WINDOW: '1m',
    });
  });
  afterEach(() => t?.close());

  it('limits refreshes per user, whichever refresh token they use', async () => {
    const { email, password } = await t.register();
    let { refresh } = await t.login(email, password);
    for (let i = 0; i < 4; i++) {
      const res = await t.http().post('/auth/refresh').send({ refresh_token: refresh }).expect(200);
      refresh = res.body.refresh_token;
    }
    const limited = await t
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: refresh })
      .expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits attempts per account, failed ones included, with 429 and Retry-After', async () => {
    const email = uniqueEmail();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t
        .http()
        .post('/auth/login')
        .set('x-forwarded-for', `203.0.113.${i}`)
        .send({ email, password: `wrong-${i}` });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
      }
    }
    // Four per account per window; the fifth is refused although each came "from" another address.
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });

  it('limits per client address across accounts, and a spoofed X-Forwarded-For does not help', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await t
        .http()
        .post('/auth/token')
        .type('form')
        .set('x-forwarded-for', `198.51.100.${i}`)
        .send({ grant_type: 'password', username: uniqueEmail(), password: 'whatever-1' });
      statuses.push(res.status);
    }
    // 20 per address per window, each for another account "from" another address.
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const register = await t
      .http()
      .post('/auth/register')
      .send({ email: uniqueEmail(), password: 'a fine password' });
    expect(register.status).toBe(429);
  });
});

describe.each(databaseKinds())('requests that name no account, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {
      RATE_LIMIT_IP: '5',
      RATE_LIMIT_ACCOUNT: '5',
      RATE_LIMIT_ANONYMOUS: '3',
    });
  });
  afterAll(() => t?.close());

  it('spend a budget of their own: garbage from one address locks no one there out of signing in', async () => {
    const garbage = () =>
      t
        .http()
        .post('/auth/password/reset')
        .send({ token: 'x'.repeat(43), password: 'some new password' });
    for (let i = 0; i < 3; i++) expect((await garbage()).status).toBe(400);
    const limited = await garbage().expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A username that is no address names no account either.
    await t
      .http()
      .post('/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'not an address', password: 'whatever-1' })
      .expect(429);

    // The same address still registers and signs in: neither its budget nor an account's was spent.
    const { email, password } = await t.register();
    await t.login(email, password);
  });
});

describe.each(databaseKinds())('parallel guesses on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_DELAY: '1m' });
  });
  afterAll(() => t?.close());

  it('never get more passwords checked than the threshold: each is counted before it is checked', async () => {
    const { email, password } = await t.register();
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .post('/auth/login')
          .send({ email, password: `guess-${i}-wrong` }),
      ),
    );
    const statuses = guesses.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Locked: the right password waits too.
    await t.http().post('/auth/login').send({ email, password }).expect(429);
  });

  it('counts a guess at the current password the same way, from one stolen token in parallel', async () => {
    const { email, password } = await t.register();
    const { access } = await t.login(email, password);
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .post('/auth/password')
          .set('Authorization', `Bearer ${access}`)
          .send({ current_password: `guess-${i}-wrong`, new_password: 'the thief wants this' }),
      ),
    );
    expect(guesses.filter((res) => res.status === 403).length).toBeLessThanOrEqual(3);
    expect(guesses.every((res) => res.status === 403 || res.status === 429)).toBe(true);
  });
});
