import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { boundPostgresWaits } from '../src';
import { TestDatabase, createTestDatabase, databaseKinds } from './support/databases';
import { freePort } from './support/processes';
import { TcpProxy } from './support/tcp-proxy';

const TIMEOUT_MS = 800;

const onPostgres = databaseKinds().includes('postgres') ? describe : describe.skip;

/**
 * boundPostgresWaits against a real server behind a proxy that goes silent mid-transaction: the
 * statement without an answer fails within the bound, and its connection, still inside that
 * transaction, is closed rather than handed to the next caller (node-postgres's own
 * query_timeout would hand it back, the transaction open, for the next request to run in).
 */
onPostgres('bounded waits on PostgreSQL', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let direct: Client;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    proxy = await TcpProxy.before(db.url, await freePort());
    // One connection: whatever the pool hands out next is the one the failed request had, or
    // its replacement.
    dataSource = new DataSource({
      type: 'postgres',
      url: proxy.via(db.url),
      poolSize: 1,
      connectTimeoutMS: TIMEOUT_MS,
    });
    const waits = boundPostgresWaits(dataSource, TIMEOUT_MS);
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE marks (v integer)');
    waits.arm();
    direct = new Client({ connectionString: db.url });
    await direct.connect();
  });
  afterAll(async () => {
    proxy.resume();
    await direct?.end();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await proxy?.stop();
    await db?.drop();
  });

  const committed = async () =>
    (await direct.query<{ v: number }>('SELECT v FROM marks ORDER BY v')).rows.map((row) => row.v);

  it('fails a statement the server never answers within the bound, and leaves no transaction open for the next caller', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    await runner.query('INSERT INTO marks VALUES (1)');
    proxy.stall();
    const started = Date.now();
    await expect(runner.query('INSERT INTO marks VALUES (2)')).rejects.toThrow(
      /Connection terminated/,
    );
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000 + 700);
    await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
    proxy.resume();

    // The next caller's statement commits on its own: it does not join the failed transaction.
    await dataSource.query('INSERT INTO marks VALUES (3)');
    expect(await committed()).toEqual([3]);
  });

  it('leaves statements that answer in time alone, however many', async () => {
    for (let i = 0; i < 50; i++) await dataSource.query('SELECT pg_sleep(0.001)');
    await dataSource.query('INSERT INTO marks VALUES (4)');
    expect(await committed()).toEqual([3, 4]);
  });
});
