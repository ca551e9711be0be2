import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders shared by the migrations, so one migration serves SQLite and MySQL/MariaDB.
 * Migrations depend on them: never change what an existing builder produces; add a new one.
 */
export function portableColumns(queryRunner: QueryRunner) {
  const type = queryRunner.connection.driver.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  // MySQL: utf8mb4 whatever the database default is (latin1 would break non-Latin emails), and
  // exact (binary) comparison where the app compares normalised values itself: ids and emails.
  // A case- and accent-insensitive collation would make 'josé@x' and 'jose@x' the same account.
  const charset = (exact: boolean): Partial<TableColumnOptions> =>
    mysql ? { charset: 'utf8mb4', collation: exact ? 'utf8mb4_bin' : 'utf8mb4_unicode_ci' } : {};
  return {
    string: (name: string, length: number, opts: { nullable?: boolean; exact?: boolean } = {}) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: opts.nullable ?? false,
      ...charset(opts.exact ?? false),
    }),
    text: (name: string): TableColumnOptions => ({ name, type: 'text', ...charset(false) }),
    id: (name: string, primary = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isPrimary: primary,
      ...charset(true),
    }),
    /** Millisecond timestamps written by the app. */
    time: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      isNullable: nullable,
    }),
    /** TypeORM's create/update date columns (microseconds on MySQL, seconds on SQLite). */
    stamp: (name: string, onUpdate = false): TableColumnOptions =>
      mysql
        ? {
            name,
            type: 'datetime',
            precision: 6,
            default: 'CURRENT_TIMESTAMP(6)',
            onUpdate: onUpdate ? 'CURRENT_TIMESTAMP(6)' : undefined,
          }
        : { name, type: 'datetime', default: "datetime('now')" },
    flag: (name: string): TableColumnOptions => ({ name, type: 'boolean', default: 0 }),
  };
}
