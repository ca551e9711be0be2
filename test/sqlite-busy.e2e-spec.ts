import { DataSource } from 'typeorm';
import { TestApp, createTestApp } from './support/test-app';

/**
 * SQLite's wait for a lock another process holds (the cleanup CLI, a second instance on the same
 * file) is bounded by DATABASE_TIMEOUT: past it, 503 with Retry-After, nothing half-written.
 */
describe('SQLite locked by another process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { DATABASE_TIMEOUT: '500ms' });
  });
  afterAll(() => t?.close());

  it('answers a write 503 once DATABASE_TIMEOUT has passed, serves reads meanwhile, and recovers', async () => {
    const { email, password } = await t.register();
    const account = { email, password };
    const { access } = await t.login(account.email, account.password);
    // Another process's connection to the same file, holding the write lock.
    const other = new DataSource({
      type: 'better-sqlite3',
      database: t.db.url.replace(/^sqlite:/, ''),
    });
    await other.initialize();
    const sessions = async () =>
      (await other.query<[{ n: number }]>('SELECT COUNT(*) AS n FROM sessions'))[0].n;
    const sessionsBefore = await sessions();
    await other.query('BEGIN IMMEDIATE');
    try {
      const login = await t.http().post('/auth/login').send(account);
      expect(login.status).toBe(503);
      expect(login.headers['retry-after']).toBe('5');
      expect(login.body.access_token).toBeUndefined();
      // Readers are not blocked by a writer (WAL).
      await t.http().get('/users/me').auth(access, { type: 'bearer' }).expect(200);
    } finally {
      await other.query('ROLLBACK');
    }
    expect(await sessions()).toBe(sessionsBefore);
    await other.destroy();
    await t.http().post('/auth/login').send(account).expect(200);
  });
});
