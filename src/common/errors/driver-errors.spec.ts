import { QueryFailedError } from 'typeorm';
import {
  databaseUnavailable,
  driverErrorCodes,
  isDuplicateKey,
  isRetryableConflict,
  isUnfitValue,
} from './driver-errors';

/** TypeORM's wrapping of a driver's error, as the repositories throw it. */
const wrapped = (driverError: object) =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error('driver'), driverError));

describe('driver errors', () => {
  it('reads the code on the error, its driverError and its causes', () => {
    const inner = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    expect(
      driverErrorCodes(
        Object.assign(new Error('outer'), {
          code: 'X',
          cause: wrapped({ code: '57P01', cause: inner }),
        }),
      ),
    ).toEqual(['X', '57P01', 'ECONNRESET']);
    expect(driverErrorCodes('nothing')).toEqual([]);
  });

  it.each([
    ['mysql2', 'ER_DUP_ENTRY'],
    ['better-sqlite3 (unique)', 'SQLITE_CONSTRAINT_UNIQUE'],
    ['better-sqlite3 (primary key)', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['PostgreSQL', '23505'],
  ])('a duplicate key on %s', (_driver, code) => {
    expect(isDuplicateKey(wrapped({ code }))).toBe(true);
  });

  it('another constraint is not a duplicate key', () => {
    expect(isDuplicateKey(wrapped({ code: '23503' }))).toBe(false);
    expect(isDuplicateKey(wrapped({ code: 'SQLITE_CONSTRAINT_NOTNULL' }))).toBe(false);
  });

  it.each(['ER_LOCK_DEADLOCK', '40001', '40P01'])('%s is retried', (code) => {
    expect(isRetryableConflict(wrapped({ code }))).toBe(true);
  });

  it('a lock wait that ran out is not retried: it is unavailable', () => {
    for (const code of ['ER_LOCK_WAIT_TIMEOUT', '55P03']) {
      expect(isRetryableConflict(wrapped({ code }))).toBe(false);
      expect(databaseUnavailable(wrapped({ code }))).toBe(code);
    }
  });

  it.each(['ECONNREFUSED', 'PROTOCOL_SEQUENCE_TIMEOUT', '57P01', '08006', '57014', 'SQLITE_BUSY'])(
    '%s is the database being unavailable',
    (code) => {
      expect(databaseUnavailable(wrapped({ code }))).toBe(code);
    },
  );

  it.each([
    'Connection terminated unexpectedly',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Pool is closed.',
  ])('the code-less "%s" is unavailable too', (message) => {
    expect(databaseUnavailable(new Error(message))).toBe('unknown');
    expect(databaseUnavailable(new QueryFailedError('SELECT 1', [], new Error(message)))).toBe(
      'unknown',
    );
  });

  it("a query's own error is not", () => {
    expect(databaseUnavailable(wrapped({ code: '42P01' }))).toBeUndefined();
    expect(databaseUnavailable(new Error('relation "tokens" does not exist'))).toBeUndefined();
  });

  it('knows the values a PostgreSQL column cannot compare (no number, no UUID, out of range)', () => {
    expect(isUnfitValue(wrapped({ code: '22P02' }))).toBe(true);
    expect(isUnfitValue(wrapped({ code: '22003' }))).toBe(true);
    expect(isUnfitValue(wrapped({ code: '23505' }))).toBe(false);
  });
});
