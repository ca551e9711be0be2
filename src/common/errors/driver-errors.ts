/**
 * What a database error means, whichever driver raised it: mysql2's names (ER_…), better-sqlite3's
 * (SQLITE_…), node-postgres's SQLSTATE codes, and Node's socket errors. The code may sit on the
 * error itself, on TypeORM's `driverError`, or down a `cause` chain; every reader goes through
 * {@link driverErrorCodes}, so a driver added later is taught here once.
 */

/** An INSERT refused by a unique index or a primary key. */
const DUPLICATE_KEY = new Set([
  'ER_DUP_ENTRY',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  '23505', // unique_violation
]);

/**
 * A value its column cannot hold in a comparison: out of range (22003), or text that is no number
 * or UUID (22P02). PostgreSQL raises these where MySQL and SQLite find no row.
 */
const UNFIT_VALUE = new Set(['22003', '22P02']);

/**
 * Rolled back through no fault of the transaction, cured by running it again: deadlocks
 * (ER_LOCK_DEADLOCK, 40P01) and PostgreSQL's serialization failures (40001). A lock wait
 * timeout is not among them: it has already spent the whole DATABASE_TIMEOUT.
 */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', '40001', '40P01']);

/**
 * The database failed rather than the query: it is gone or did not answer within
 * DATABASE_TIMEOUT, a lock was not had in time, or a transaction lost a deadlock more often than
 * Transactions retries. The request could not be served and may be retried (503).
 */
const UNAVAILABLE = new Set([
  ...RETRYABLE,
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2; PROTOCOL_SEQUENCE_TIMEOUT is also the bounded pool's acquire timeout (bounded-waits).
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  // PostgreSQL: connection exceptions (class 08), insufficient resources (a full disk, memory,
  // too many connections), a write reaching a standby that a failover left read-only, lock_timeout,
  // a statement cancelled by statement_timeout, the server shutting down or starting.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '25006',
  '53000',
  '53100',
  '53200',
  '53300',
  '55P03',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  // better-sqlite3
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
]);

/**
 * Errors the drivers raise without a code once a connection is gone or a wait ran out: mysql2's
 * pool after a connection died; node-postgres's pool (its acquire timeout, a connection cut
 * mid-query) and its client-side `query_timeout`.
 */
const UNAVAILABLE_MESSAGE =
  /Pool is closed|connection is in closed state|Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed/i;

/** Every code on the error, its driverError and its causes, outermost first (a few levels). */
export function driverErrorCodes(error: unknown): string[] {
  // TypeORM's QueryFailedError copies its driverError's fields onto itself: each code once.
  return [...new Set(codesOf(error, 0))];
}

function codesOf(error: unknown, depth: number): string[] {
  if (typeof error !== 'object' || error === null || depth > 3) return [];
  const { code, driverError, cause } = error as {
    code?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...codesOf(driverError, depth + 1),
    ...codesOf(cause, depth + 1),
  ];
}

export function isDuplicateKey(error: unknown): boolean {
  return driverErrorCodes(error).some((code) => DUPLICATE_KEY.has(code));
}

export function isUnfitValue(error: unknown): boolean {
  return driverErrorCodes(error).some((code) => UNFIT_VALUE.has(code));
}

export function isRetryableConflict(error: unknown): boolean {
  return driverErrorCodes(error).some((code) => RETRYABLE.has(code));
}

/**
 * Why the database could not serve the request, as the driver's code (or `unknown` for the
 * code-less errors above), or undefined when the error is the query's own.
 */
export function databaseUnavailable(error: unknown): string | undefined {
  const code = driverErrorCodes(error).find((candidate) => UNAVAILABLE.has(candidate));
  if (code) return code;
  const messages = [error, (error as { driverError?: unknown } | null)?.driverError];
  return messages.some(
    (e) =>
      typeof (e as { message?: unknown } | null)?.message === 'string' &&
      UNAVAILABLE_MESSAGE.test((e as { message: string }).message),
  )
    ? 'unknown'
    : undefined;
}
