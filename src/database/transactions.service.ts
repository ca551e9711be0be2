import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { setTimeout as pause } from 'node:timers/promises';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isRetryableConflict } from '../common/errors/driver-errors';
import { GatehouseConfig } from '../config/gatehouse-config';

/** A deadlock is resolved by the server rolling one transaction back: trying again is the cure. */
const MAX_ATTEMPTS = 4;

/**
 * Runs units of work as database transactions: all of it or none of it, even across a crash.
 *
 * - A deadlock or serialization failure re-runs the whole unit, up to four attempts with a short
 *   random pause between them; the error of the last one propagates (and is answered 503).
 * - On SQLite, TypeORM sends every statement through one shared connection, so a transaction
 *   would otherwise take in whatever other requests send meanwhile (and lose it on rollback or
 *   crash). Here each transaction runs alone on a query runner of its own, over the same
 *   connection, and statements from elsewhere wait, at most DATABASE_TIMEOUT, until it ends; so
 *   does a transaction waiting for its turn. Nothing inside `work` may use the shared runner (a
 *   repository outside `manager`, a nested `run`): it would wait for itself, then fail.
 */
@Injectable()
export class Transactions implements OnModuleInit {
  private readonly logger = new Logger(Transactions.name);
  private sqlite?: SqliteTransactionGate;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatehouseConfig,
  ) {}

  onModuleInit(): void {
    if (this.dataSource.options.type === 'better-sqlite3') {
      this.sqlite = new SqliteTransactionGate(
        this.dataSource,
        this.config.get('tokens', { infer: true }).databaseTimeoutMs,
      );
    }
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.sqlite ? await this.sqlite.run(work) : await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        this.logger.debug(`transaction conflict, attempt ${attempt} of ${MAX_ATTEMPTS}`);
        // Random, so that the two sides of a deadlock do not meet again in step.
        await pause(5 + Math.random() * 20 * attempt);
      }
    }
  }
}

/** SQLite's connection, one transaction at a time, with everything else held back meanwhile. */
class SqliteTransactionGate {
  private readonly logger = new Logger('Transactions');
  private runner: QueryRunner;
  /** Settles when the transaction in progress ends; undefined when none is. */
  private open?: Promise<void>;
  /** Settles when the last transaction queued so far has ended. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly timeoutMs: number,
  ) {
    // The driver's one shared runner, which every repository call outside a transaction uses.
    const shared = dataSource.driver.createQueryRunner('master');
    const query: QueryRunner['query'] = shared.query.bind(shared);
    const gated = async (...args: Parameters<QueryRunner['query']>): Promise<unknown> => {
      while (this.open) await this.bounded(this.open, 'for a transaction to end');
      return query(...args) as Promise<unknown>;
    };
    shared.query = gated as QueryRunner['query'];
    this.runner = this.newRunner();
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const previous = this.queue;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    // The next one waits for this one, even if this one gives up waiting for its turn.
    this.queue = previous.then(() => mine);
    return (async () => {
      try {
        await this.bounded(previous, 'for the transactions queued before');
        return await this.transact(work);
      } finally {
        done();
      }
    })();
  }

  /** A second runner of the shared one's class, over the same connection, with its own state. */
  private newRunner(): QueryRunner {
    const shared = this.dataSource.driver.createQueryRunner('master');
    const Runner = shared.constructor as new (driver: unknown) => QueryRunner;
    const runner = new Runner(this.dataSource.driver);
    return Object.assign(runner, { manager: this.dataSource.createEntityManager(runner) });
  }

  private get connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
  }

  private async transact<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // A transaction opened on the shared runner by code that does not come through here (an
    // application's own `save`) runs to its end first: SQLite cannot nest a second BEGIN.
    const started = Date.now();
    while (this.connection.inTransaction) {
      if (Date.now() - started >= this.timeoutMs) throw busy('for another transaction to end');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    let end!: () => void;
    this.open = new Promise<void>((resolve) => (end = resolve));
    try {
      await this.runner.startTransaction();
      const result = await work(this.runner.manager);
      await this.runner.commitTransaction();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    } finally {
      this.open = undefined;
      end();
    }
  }

  /**
   * Rolls back whatever is open, and leaves a clean runner and connection even when ROLLBACK
   * itself fails (SQLite may have rolled back on its own, after SQLITE_FULL for one): a runner
   * left believing it is inside a transaction would nest every later one in a savepoint.
   */
  private async rollback(): Promise<void> {
    try {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
    } catch (error) {
      this.logger.warn(`rollback failed: ${(error as Error).message}`);
    }
    if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
    if (this.runner.isTransactionActive) this.runner = this.newRunner();
  }

  private async bounded(wait: Promise<void>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(busy(what)), this.timeoutMs);
    });
    try {
      await Promise.race([wait, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

interface SqliteConnection {
  inTransaction: boolean;
  exec(sql: string): unknown;
}

/** Answered 503, like SQLite's own SQLITE_BUSY after its busy timeout. */
function busy(what: string): Error {
  return Object.assign(new Error(`timed out waiting ${what}`), { code: 'SQLITE_BUSY' });
}
