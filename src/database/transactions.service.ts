import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { setTimeout as pause } from 'node:timers/promises';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { GatehouseConfig } from '../config/gatehouse-config';

/** A deadlock is resolved by the server rolling one transaction back: trying again is the cure. */
const MAX_ATTEMPTS = 4;

/**
 * Errors that roll a transaction back through no fault of its own, and that a retry of the whole
 * unit cures: MySQL/MariaDB deadlocks (ER_LOCK_DEADLOCK), PostgreSQL serialization failures and
 * deadlocks (SQLSTATE 40001, 40P01). A lock wait timeout is not among them: it has already used
 * the whole DATABASE_TIMEOUT, and the request answers 503 instead.
 */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', '40001', '40P01']);

export function isRetryableConflict(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown } } | null)?.driverError;
  const code = driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs units of work as database transactions: all of it or none of it, even across a crash.
 *
 * - A deadlock or serialization failure re-runs the whole unit, up to four attempts with a short
 *   random pause between them; the error of the last one propagates (and is answered 503).
 * - On SQLite, TypeORM sends every statement through one shared connection, so a transaction
 *   would otherwise take in whatever other requests send meanwhile (and lose it on rollback or
 *   crash). Here each transaction runs alone on a query runner of its own, over the same
 *   connection, and statements from elsewhere wait, at most DATABASE_TIMEOUT, until it ends.
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
        return this.sqlite
          ? await this.sqlite.run(work)
          : await this.dataSource.transaction(work);
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
  private readonly runner: QueryRunner;
  /** Settles when the transaction in progress ends; undefined when none is. */
  private open?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly timeoutMs: number,
  ) {
    // The driver's one shared runner, which every repository call outside a transaction uses.
    const shared = dataSource.driver.createQueryRunner('master');
    const query: QueryRunner['query'] = shared.query.bind(shared);
    const gated = async (...args: Parameters<QueryRunner['query']>): Promise<unknown> => {
      while (this.open) await this.waitForTurn(this.open);
      return query(...args) as Promise<unknown>;
    };
    shared.query = gated as QueryRunner['query'];
    // A second runner of the same class over the same connection, with its own transaction state.
    const Runner = shared.constructor as new (driver: unknown) => QueryRunner;
    this.runner = new Runner(dataSource.driver);
    Object.assign(this.runner, { manager: dataSource.createEntityManager(this.runner) });
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const turn = this.queue.then(() => this.transact(work));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async transact<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    let end!: () => void;
    this.open = new Promise<void>((resolve) => (end = resolve));
    try {
      await this.runner.startTransaction();
      try {
        const result = await work(this.runner.manager);
        await this.runner.commitTransaction();
        return result;
      } catch (error) {
        await this.runner.rollbackTransaction();
        throw error;
      }
    } finally {
      this.open = undefined;
      end();
    }
  }

  private async waitForTurn(open: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () =>
          fail(
            Object.assign(new Error('timed out waiting for a transaction to end'), {
              code: 'SQLITE_BUSY',
            }),
          ),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([open, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
