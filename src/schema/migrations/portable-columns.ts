import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders shared by the migrations, so one migration serves SQLite, MySQL/MariaDB and
 * PostgreSQL. Migrations depend on them: never change what an existing builder produces for a
 * database that may already have run them; add a new one.
 *
 * PostgreSQL gets its own types (see column-types.ts, which gives the entities the same): `uuid`
 * for the ids Gatehouse generates, `timestamptz` for every instant, real booleans. Its text
 * compares exactly by default (deterministic collations), which is what the ids and the
 * canonical emails need.
 */
export function portableColumns(queryRunner: QueryRunner, prefix = '') {
  const type = queryRunner.connection.driver.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  const postgres = type === 'postgres';
  // MySQL: utf8mb4 whatever the database default is (latin1 would break non-Latin emails), and
  // exact (binary) comparison where the app compares normalised values itself: ids and emails.
  // A case- and accent-insensitive collation would make 'josé@x' and 'jose@x' the same account.
  const charset = (exact: boolean): Partial<TableColumnOptions> =>
    mysql ? { charset: 'utf8mb4', collation: exact ? 'utf8mb4_bin' : 'utf8mb4_unicode_ci' } : {};
  return {
    /**
     * An index's name: PostgreSQL's are unique in the whole schema (MySQL's per table), so there
     * they take the table prefix, as the tables do, lest they clash with the host's or with a
     * second Gatehouse's under another prefix. (SQLite's are schema-wide too, but databases made
     * before prefixes have them bare; there a clash stops the migration with the index named.)
     */
    index: (name: string) => (postgres ? `${prefix}${name}` : name),
    string: (name: string, length: number, opts: { nullable?: boolean; exact?: boolean } = {}) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: opts.nullable ?? false,
      ...charset(opts.exact ?? false),
    }),
    text: (name: string): TableColumnOptions => ({ name, type: 'text', ...charset(false) }),
    /** An account's id, which may be a host's of any kind: text of up to 36 characters. */
    id: (name: string, primary = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isPrimary: primary,
      ...charset(true),
    }),
    /** An id Gatehouse generates (randomUUID): `uuid` on PostgreSQL, else as `id`. */
    uuid: (name: string, primary = false): TableColumnOptions =>
      postgres
        ? { name, type: 'uuid', isPrimary: primary }
        : { name, type: 'varchar', length: '36', isPrimary: primary, ...charset(true) },
    /** Millisecond timestamps written by the app. */
    time: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: postgres ? 'timestamptz' : 'datetime',
      precision: 3,
      isNullable: nullable,
    }),
    /** TypeORM's create/update date columns (microseconds on MySQL and PostgreSQL, seconds on SQLite). */
    stamp: (name: string, onUpdate = false): TableColumnOptions =>
      postgres
        ? { name, type: 'timestamptz', default: 'now()' }
        : mysql
          ? {
              name,
              type: 'datetime',
              precision: 6,
              default: 'CURRENT_TIMESTAMP(6)',
              onUpdate: onUpdate ? 'CURRENT_TIMESTAMP(6)' : undefined,
            }
          : { name, type: 'datetime', default: "datetime('now')" },
    flag: (name: string): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: postgres ? false : 0,
    }),
  };
}
