import { getMetadataArgsStorage } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { ColumnMetadataArgs } from 'typeorm/metadata-args/ColumnMetadataArgs';

/**
 * The families of databases Gatehouse's schema has column types for: MySQL and MariaDB, SQLite
 * (better-sqlite3, sqlite) and PostgreSQL.
 */
export type SchemaDialect = 'mysql' | 'sqlite' | 'postgres';

export function dialectOf(type: DataSourceOptions['type'] | undefined): SchemaDialect {
  if (type === 'postgres') return 'postgres';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === undefined || type === 'better-sqlite3' || type === 'sqlite') return 'sqlite';
  throw new Error(
    `gatehouseSchema: databaseType "${type}" is not supported: PostgreSQL, MySQL, MariaDB or SQLite (better-sqlite3)`,
  );
}

/** The entity properties that hold an id Gatehouse generates (randomUUID), by entity. */
export type UuidProperties = ReadonlyArray<readonly [abstract new () => unknown, string]>;

/** What each column was declared with, before any dialect touched it. */
const declared = new WeakMap<ColumnMetadataArgs, ColumnMetadataArgs['options']>();

/**
 * Gives the entities' columns the types of the dialect; TypeORM has one type per column for every
 * database, and no type for an instant is right on all of them. As declared (MySQL, SQLite):
 * `datetime(3)` instants and `varchar(36)` ids. On PostgreSQL: `timestamptz` for every instant
 * (TypeORM's create and update dates included) and `uuid` for the ids in `uuids`; ids that may be
 * a host's (`user_id`) stay text.
 *
 * TypeORM reads the types from its decorators' registry when a DataSource initialises, as it does
 * the table names gatehouseSchema sets: so this runs before, and each call starts again from the
 * declared types, so one process may open databases of several kinds one after the other.
 */
export function applyColumnTypes(
  entities: ReadonlyArray<abstract new () => unknown>,
  uuids: UuidProperties,
  dialect: SchemaDialect,
): void {
  for (const args of getMetadataArgsStorage().columns) {
    if (!entities.includes(args.target as abstract new () => unknown)) continue;
    if (!declared.has(args)) declared.set(args, { ...args.options });
    const options = { ...declared.get(args) };
    if (dialect === 'postgres') {
      const stamp = args.mode === 'createDate' || args.mode === 'updateDate';
      if (options.type === 'datetime' || stamp) options.type = 'timestamptz';
      if (
        uuids.some(([target, property]) => target === args.target && property === args.propertyName)
      ) {
        options.type = 'uuid';
        delete options.length;
      }
    }
    Object.assign(args, { options });
  }
}

/** What each index was named, before any prefix. */
const declaredIndexNames = new WeakMap<object, string | undefined>();

/**
 * On PostgreSQL, index names are unique in the whole schema: the entities' take the table prefix
 * there, as the migrations give it (portableColumns' `index`). Elsewhere as declared.
 */
export function applyIndexNames(
  entities: ReadonlyArray<abstract new () => unknown>,
  prefix: string,
  dialect: SchemaDialect,
): void {
  for (const args of getMetadataArgsStorage().indices) {
    if (!entities.includes(args.target as abstract new () => unknown)) continue;
    if (!declaredIndexNames.has(args)) declaredIndexNames.set(args, args.name);
    const name = declaredIndexNames.get(args);
    Object.assign(args, { name: dialect === 'postgres' && name ? `${prefix}${name}` : name });
  }
}
