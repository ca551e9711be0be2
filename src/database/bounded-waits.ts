import type { DataSource } from 'typeorm';

/** The parts of mysql2's pool and connections this module touches. */
interface MysqlConnection {
  query(...args: unknown[]): unknown;
  destroy(): void;
  stream?: { destroy(): void };
}
interface MysqlPool {
  on(event: 'connection', listener: (connection: MysqlConnection) => void): void;
  getConnection(
    callback: (error: Error | null, connection?: MysqlConnection & { release(): void }) => void,
  ): void;
}
type Callback = (error: (Error & { code?: string }) | null, ...results: unknown[]) => void;

/** A query that did not answer in time (mysql2's own code for it; answered 503). */
const QUERY_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * DATABASE_TIMEOUT on the standalone server's MySQL/MariaDB pool, so that a database that accepts
 * connections but never answers costs a request seconds, not as long as the stall lasts:
 * - every query answers within it or fails; the connection it ran on is then closed rather than
 *   handed to the next caller behind a query that may never end (and the server rolls back
 *   whatever transaction it held);
 * - waiting for a free connection of the pool fails after it;
 * - InnoDB gives up a lock wait after it (whole seconds) instead of its 50 s default.
 * New connections are bounded by mysql2's `connectTimeout`, set to the same value by the options.
 *
 * mysql2 offers a per-query timeout but neither an acquire timeout nor a per-connection setup
 * statement, and TypeORM passes neither: hence the pool is wrapped where TypeORM creates it. The
 * limits apply once `arm()` is called, after the migrations at boot (an ALTER TABLE on a large
 * table may rightly take longer).
 */
export function boundMysqlWaits(dataSource: DataSource, timeoutMs: number): { arm(): void } {
  let armed = false;
  const driver = dataSource.driver as unknown as {
    mysql: { createPool(options: unknown): MysqlPool };
  };
  const mysql = driver.mysql;
  const lockWait = Math.max(1, Math.ceil(timeoutMs / 1000));
  driver.mysql = Object.assign(Object.create(mysql) as typeof mysql, {
    createPool: (options: unknown) => {
      const pool = mysql.createPool(options);
      pool.on('connection', (connection) => {
        connection.query(`SET SESSION innodb_lock_wait_timeout = ${lockWait}`, () => undefined);
        boundQueries(connection, timeoutMs, () => armed);
      });
      boundAcquire(pool, timeoutMs, () => armed);
      return pool;
    },
  });
  return { arm: () => (armed = true) };
}

function boundQueries(connection: MysqlConnection, timeoutMs: number, armed: () => boolean): void {
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const callback = args[args.length - 1];
    if (!armed() || typeof callback !== 'function') return query(...args);
    const [sql, ...rest] = args;
    const options = typeof sql === 'string' ? { sql } : (sql as object);
    rest[rest.length - 1] = ((error, ...results) => {
      if (error?.code === QUERY_TIMEOUT) {
        connection.destroy();
        connection.stream?.destroy();
      }
      (callback as Callback)(error, ...results);
    }) satisfies Callback;
    return query({ timeout: timeoutMs, ...options }, ...rest);
  };
}

function boundAcquire(pool: MysqlPool, timeoutMs: number, armed: () => boolean): void {
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) => {
    if (!armed()) return getConnection(callback);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      callback(
        Object.assign(new Error('timed out waiting for a database connection'), {
          code: QUERY_TIMEOUT,
        }),
      );
    }, timeoutMs);
    getConnection((error, connection) => {
      clearTimeout(timer);
      // Too late for this caller: give the connection back to the pool for the next one.
      if (timedOut) return connection?.release();
      callback(error, connection);
    });
  };
}

/** The parts of node-postgres's pool and clients (JavaScript or pg-native) this module touches. */
interface PostgresClient {
  query(...args: unknown[]): unknown;
  end(): unknown;
}
type PostgresPool = new (options: unknown) => {
  on(event: 'connect', listener: (client: PostgresClient) => void): unknown;
};

/**
 * DATABASE_TIMEOUT on a PostgreSQL pool's side of every query, for a server that stops answering
 * altogether (a hung host, a dropped link), where the server-side bounds (`statement_timeout`,
 * `lock_timeout`, set as connection options) never fire: a query with no answer within the bound
 * plus a second ends its connection (the client's own `end()`, which also serves pg-native), so the
 * query fails (answered 503), the server rolls back whatever transaction that connection held,
 * and the pool replaces it.
 *
 * Not node-postgres's own `query_timeout`: it only stops waiting, and hands the connection back to
 * the pool with the query still queued on it, inside the failed request's transaction, where the
 * next request's statements would run. Waiting for a connection of the pool is bounded by
 * node-postgres itself (`connectionTimeoutMillis`, TypeORM's `connectTimeoutMS`). The limit
 * applies once `arm()` is called, after the migrations at boot.
 */
export function boundPostgresWaits(dataSource: DataSource, timeoutMs: number): { arm(): void } {
  let armed = false;
  const driver = dataSource.driver as unknown as { postgres: { Pool: PostgresPool } };
  const pg = driver.postgres;
  const Pool = pg.Pool;
  const readTimeoutMs = timeoutMs + 1000;
  class BoundedPool extends Pool {
    constructor(options: unknown) {
      super(options);
      this.on('connect', (client) => boundPostgresQueries(client, readTimeoutMs, () => armed));
    }
  }
  driver.postgres = Object.assign(Object.create(pg) as typeof pg, { Pool: BoundedPool });
  return { arm: () => (armed = true) };
}

function boundPostgresQueries(
  client: PostgresClient,
  timeoutMs: number,
  armed: () => boolean,
): void {
  const query = client.query.bind(client);
  client.query = (...args: unknown[]) => {
    const config = args[0] as { submit?: unknown; callback?: unknown } | null | undefined;
    // A submittable (a cursor, a stream) runs as long as its reader wants: not bounded here.
    if (!armed() || typeof config?.submit === 'function') return query(...args);
    // Ending with a query under way closes the socket; the query fails "Connection terminated".
    const timer = setTimeout(
      () => void Promise.resolve(client.end()).catch(() => undefined),
      timeoutMs,
    );
    const settle = () => clearTimeout(timer);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (...results: unknown[]) => {
        settle();
        (last as (...r: unknown[]) => void)(...results);
      };
    } else if (typeof config?.callback === 'function') {
      const callback = config.callback as (...r: unknown[]) => void;
      args[0] = {
        ...config,
        callback: (...results: unknown[]) => (settle(), callback(...results)),
      };
    }
    let result: unknown;
    try {
      result = query(...args);
    } catch (error) {
      settle();
      throw error;
    }
    if (typeof (result as { then?: unknown } | undefined)?.then === 'function') {
      (result as Promise<unknown>).then(settle, settle);
    }
    return result;
  };
}
