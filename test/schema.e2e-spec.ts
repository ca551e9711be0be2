import { DataSource, TableForeignKey } from 'typeorm';
import { BARE_TABLES, schemaPlan } from '../src/schema/gatehouse-tables';
import { MIGRATIONS, gatehouseSchema } from '../src/schema/gatehouse-schema';
import { initialSchema } from '../src/schema/migrations/1764000000000-InitialSchema';
import { hostUsers } from '../src/schema/migrations/1764600000000-HostUsers';
import { canonicalEmails } from '../src/schema/migrations/1764700000000-CanonicalEmails';
import { loadDatabaseConfig } from '../src/server/database.config';
import { buildDataSourceOptions } from '../src/server/typeorm-options';
import { Session } from '../src/tokens/entities/session.entity';
import { User } from '../src/users/entities/user.entity';
import { DatabaseKind, createTestDatabase, databaseKinds } from './support/databases';

/** A fresh database of the kind, opened with the app's own options, migrated; dropped after. */
async function withMigratedDatabase(
  kind: DatabaseKind,
  run: (dataSource: DataSource) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const db = await createTestDatabase(kind);
  const dataSource = new DataSource(
    buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url, ...env })),
  );
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    await run(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.drop();
  }
}

/** The standalone server's migrations (Gatehouse's and the example resource's). */
const serverMigrations = (url: string) =>
  buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: url })).migrations as Array<
    new () => unknown
  >;

/** Ids of Gatehouse's own generating (UUIDs), in sorting order: uuid columns on PostgreSQL. */
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe.each(databaseKinds())('schema on %s', (kind) => {
  it('is built by the migrations alone and matches the entities exactly', () =>
    withMigratedDatabase(kind, async (dataSource) => {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(dataSource.options.synchronize).toBe(false);
    }));

  if (kind === 'postgres') {
    it('takes a prefix with capitals, beside host tables with the same index names, and matches the entities exactly', async () => {
      const db = await createTestDatabase(kind);
      // After bareOptions, whose server schema names the tables too: the last call names them.
      const options = bareOptions(db.url);
      const schema = gatehouseSchema({ tablePrefix: 'Gh_', databaseType: 'postgres' });
      const source = new DataSource({
        ...options,
        entities: schema.entities,
        migrations: schema.migrations,
      });
      try {
        await source.initialize();
        // The host's own sessions table, its index named as Gatehouse names its own.
        await source.query('CREATE TABLE sessions (id serial PRIMARY KEY, user_id integer)');
        await source.query('CREATE INDEX "IDX_sessions_user_id" ON sessions (user_id)');
        await source.runMigrations();
        const pending = await source.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((q) => q.query)).toEqual([]);
        const indexes = await source.query<Array<{ indexname: string }>>(
          "SELECT indexname FROM pg_indexes WHERE tablename = 'Gh_sessions' AND indexname NOT LIKE 'PK_%' ORDER BY indexname",
        );
        expect(indexes.map((i) => i.indexname)).toEqual([
          'Gh_IDX_sessions_expires_at',
          'Gh_IDX_sessions_passkey_id',
          'Gh_IDX_sessions_user_id',
        ]);
      } finally {
        if (source.isInitialized) await source.destroy();
        await db.drop();
        // Back to the names the other tests of this file expect.
        gatehouseSchema({ tablePrefix: '', databaseType: 'postgres' });
      }
    });

    it("uses PostgreSQL's own types: uuid ids, timestamptz instants, booleans", () =>
      withMigratedDatabase(kind, async (dataSource) => {
        const columns = await dataSource.query<
          Array<{ table_name: string; column_name: string; data_type: string }>
        >(
          "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations'",
        );
        const typeOf = (table: string, column: string) =>
          columns.find((c) => c.table_name === table && c.column_name === column)?.data_type;
        for (const [table, column] of [
          ['users', 'id'],
          ['tokens', 'jti'],
          ['tokens', 'family_id'],
          ['sessions', 'id'],
          ['one_time_tokens', 'id'],
          ['mfa_recovery_codes', 'id'],
          ['revocation_outbox', 'jti'],
          ['notes', 'id'],
          ['notes', 'owner_id'],
        ]) {
          expect([table, column, typeOf(table, column)]).toEqual([table, column, 'uuid']);
        }
        // A host's ids may be integers or keys: user_id columns stay text.
        expect(typeOf('tokens', 'user_id')).toBe('character varying');
        const instants = columns.filter((c) => /_at$/.test(c.column_name));
        expect(instants.length).toBeGreaterThan(15);
        for (const c of instants)
          expect([c.table_name, c.column_name, c.data_type]).toEqual([
            c.table_name,
            c.column_name,
            'timestamp with time zone',
          ]);
        expect(columns.filter((c) => c.data_type.startsWith('timestamp without'))).toEqual([]);
        for (const [table, column] of [
          ['users', 'disabled'],
          ['tokens', 'revoked'],
          ['sessions', 'revoked'],
        ]) {
          expect(typeOf(table, column)).toBe('boolean');
        }
      }));
  }

  it('reverts every migration cleanly', () =>
    withMigratedDatabase(kind, async (dataSource) => {
      const count = (dataSource.options.migrations as unknown[]).length;
      for (let i = 0; i < count; i++) await dataSource.undoLastMigration();
      const queryRunner = dataSource.createQueryRunner();
      for (const table of [
        'users',
        'tokens',
        'sessions',
        'notes',
        'one_time_tokens',
        'user_mfa',
        'mfa_recovery_codes',
        'revocation_outbox',
      ]) {
        expect(await queryRunner.hasTable(table)).toBe(false);
      }
      await queryRunner.release();
    }));

  it('stores timestamps in UTC whatever the database session time zone', () =>
    withMigratedDatabase(
      kind,
      async (dataSource) => {
        // One pooled connection, so the session setting below applies to the statements after it.
        if (kind === 'mysql') await dataSource.query("SET time_zone = '+02:00'");
        if (kind === 'postgres') await dataSource.query("SET TIME ZONE 'Asia/Kolkata'");
        const users = dataSource.getRepository(User);
        const before = Date.now();
        const user = await users.save(
          users.create({ email: 'tz@example.com', passwordHash: 'x', roles: [] }),
        );
        const stored = await users.findOneByOrFail({ id: user.id });
        expect(Math.abs(stored.createdAt.getTime() - before)).toBeLessThan(5000);
        await users.update({ id: user.id }, { disabled: true, updatedAt: new Date() });
        const updated = await users.findOneByOrFail({ id: user.id });
        expect(Math.abs(updated.updatedAt.getTime() - Date.now())).toBeLessThan(5000);
      },
      { DATABASE_POOL_SIZE: '1' },
    ));

  it('backfills a session for every token family that existed before the sessions table', async () => {
    const db = await createTestDatabase(kind);
    const dataSource = new DataSource({
      ...buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url })),
      migrations: [serverMigrations(db.url)[0]],
    });
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      await dataSource.query(
        `INSERT INTO users (id, email, password_hash, roles, disabled, created_at, updated_at) VALUES ('${uuid(1)}', 'b@x.io', 'h', 'user', FALSE, '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
      );
      const token = (
        jti: string,
        family: string,
        issued: string,
        expires: string,
        revoked: boolean,
      ) =>
        dataSource.query(
          `INSERT INTO tokens (jti, user_id, type, family_id, issued_at, expires_at, revoked) VALUES ('${jti}', 'u1', 'refresh', '${family}', '${issued}', '${expires}', ${revoked ? 'TRUE' : 'FALSE'})`,
        );
      // fam-ended sorts before fam-live.
      const [live, ended] = [uuid(20), uuid(10)];
      await token(uuid(1), live, '2026-01-01 10:00:00.000', '2026-02-01 10:00:00.000', true);
      await token(uuid(2), live, '2026-01-02 10:00:00.000', '2026-02-02 10:00:00.000', false);
      await token(uuid(3), ended, '2026-01-03 10:00:00.000', '2026-02-03 10:00:00.000', true);
      await dataSource.destroy();

      const migrated = new DataSource(
        buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url })),
      );
      await migrated.initialize();
      await migrated.runMigrations();
      const sessions = await migrated.getRepository(Session).find({ order: { id: 'ASC' } });
      await migrated.destroy();
      expect(sessions).toEqual([
        expect.objectContaining({ id: ended, userId: 'u1', revoked: true }),
        expect.objectContaining({
          id: live,
          revoked: false,
          createdAt: new Date('2026-01-01T10:00:00.000Z'),
          lastUsedAt: new Date('2026-01-02T10:00:00.000Z'),
          expiresAt: new Date('2026-02-02T10:00:00.000Z'),
        }),
      ]);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    }
  });

  /** A bare database: the driver options of the app's own DataSource, without its schema. */
  const bareOptions = (url: string) => {
    const {
      entities: _entities,
      migrations: _migrations,
      ...options
    } = buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: url }));
    return { ...options, migrationsRun: false };
  };
  const before = schemaPlan('', true);
  // What 0.1 ran: every migration before HostUsers.
  const earlierMigrations = MIGRATIONS.filter((m) => m !== hostUsers && m !== canonicalEmails).map(
    (m) => m(before),
  );

  it('stores the addresses of existing accounts in their canonical form; a twin keeps its own', async () => {
    const db = await createTestDatabase(kind);
    const plan = schemaPlan('', true);
    const old = new DataSource({
      ...bareOptions(db.url),
      migrations: MIGRATIONS.filter((m) => m !== canonicalEmails).map((m) => m(plan)),
    });
    const upgraded = new DataSource({
      ...bareOptions(db.url),
      migrations: MIGRATIONS.map((m) => m(plan)),
    });
    try {
      await old.initialize();
      await old.runMigrations();
      const accounts = [
        [uuid(1), 'Ada@Example.com', '2026-01-01 00:00:00'],
        [uuid(2), '\uff41\uff44\uff41@example.com', '2026-01-02 00:00:00'],
        [uuid(3), 'grace@x.io', '2026-01-03 00:00:00'],
        [uuid(4), 'jose\u0301@x.io', '2026-01-04 00:00:00'],
      ];
      for (const [id, email, at] of accounts) {
        await old
          .createQueryBuilder()
          .insert()
          .into('users')
          .values({
            id,
            email,
            password_hash: 'h',
            roles: 'user',
            disabled: false,
            created_at: at,
            updated_at: at,
          })
          .execute();
      }
      await old.destroy();

      await upgraded.initialize();
      await upgraded.runMigrations();
      const rows = await upgraded.query<Array<{ id: string; email: string }>>(
        'SELECT id, email FROM users ORDER BY id',
      );
      expect(rows).toEqual([
        { id: uuid(1), email: 'ada@example.com' },
        // Folds into the first one's address, which the older account took: kept as stored.
        { id: uuid(2), email: '\uff41\uff44\uff41@example.com' },
        { id: uuid(3), email: 'grace@x.io' },
        { id: uuid(4), email: 'jos\u00e9@x.io' },
      ]);
    } finally {
      for (const source of [old, upgraded]) if (source.isInitialized) await source.destroy();
      await db.drop();
    }
  });

  // PostgreSQL came with 0.3: no database of 0.1's shape exists there (and its keys from varchar
  // user_id columns to uuid ids could not).
  if (kind !== 'postgres')
    it('upgrades a database of 0.1 (bare names, keys to users) to a prefix, its rows kept', async () => {
      const db = await createTestDatabase(kind);
      const old = new DataSource({ ...bareOptions(db.url), migrations: earlierMigrations });
      const after = schemaPlan('gatehouse_', true);
      const upgraded = new DataSource({
        ...bareOptions(db.url),
        migrations: MIGRATIONS.map((m) => m(after)),
      });
      try {
        await old.initialize();
        await old.runMigrations();
        // What 0.1's migrations also made: every table pointing at users, cascading.
        for (const table of [
          'tokens',
          'sessions',
          'one_time_tokens',
          'user_mfa',
          'mfa_recovery_codes',
        ]) {
          await old.createQueryRunner().createForeignKey(
            table,
            new TableForeignKey({
              name: `FK_${table}_user_id`,
              columnNames: ['user_id'],
              referencedTableName: 'users',
              referencedColumnNames: ['id'],
              onDelete: 'CASCADE',
            }),
          );
        }
        await old.query(
          "INSERT INTO users (id, email, password_hash, roles, disabled, created_at, updated_at) VALUES ('u1', 'b@x.io', 'h', 'user', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        );
        await old.query(
          "INSERT INTO tokens (jti, user_id, type, family_id, issued_at, expires_at, revoked) VALUES ('t1', 'u1', 'access', 'f1', '2026-01-01 10:00:00.000', '2026-02-01 10:00:00.000', 0)",
        );
        await old.destroy();

        await upgraded.initialize();
        await upgraded.runMigrations();
        const runner = upgraded.createQueryRunner();
        for (const [role, bare] of Object.entries(BARE_TABLES)) {
          expect(await runner.hasTable(bare)).toBe(false);
          const table = await runner.getTable(after.tables[role as keyof typeof BARE_TABLES]);
          expect(table).toBeDefined();
          expect(table?.foreignKeys).toEqual([]);
        }
        await runner.release();
        expect(await upgraded.query('SELECT jti, user_id FROM gatehouse_tokens')).toEqual([
          { jti: 't1', user_id: 'u1' },
        ]);
        expect(await upgraded.query('SELECT id FROM gatehouse_users')).toEqual([{ id: 'u1' }]);
      } finally {
        for (const source of [old, upgraded]) if (source.isInitialized) await source.destroy();
        await db.drop();
      }
    });

  it('leaves a host’s own users table alone when the accounts are the host’s', async () => {
    const db = await createTestDatabase(kind);
    const plan = schemaPlan('gh_', false);
    const source = new DataSource({
      ...bareOptions(db.url),
      migrations: MIGRATIONS.map((m) => m(plan)),
    });
    try {
      await source.initialize();
      await source.query('CREATE TABLE users (id integer PRIMARY KEY, email varchar(255))');
      await source.runMigrations();
      const runner = source.createQueryRunner();
      expect(await runner.hasTable('users')).toBe(true);
      expect(await runner.hasTable('gh_users')).toBe(false);
      expect(await runner.hasTable('gh_tokens')).toBe(true);
      await runner.release();
    } finally {
      if (source.isInitialized) await source.destroy();
      await db.drop();
    }
  });

  it('stops before creating a table the host already has, naming the option', async () => {
    const db = await createTestDatabase(kind);
    const plan = schemaPlan('app_', true);
    const source = new DataSource({ ...bareOptions(db.url), migrations: [initialSchema(plan)] });
    try {
      await source.initialize();
      await source.query('CREATE TABLE app_tokens (id integer PRIMARY KEY)');
      await expect(source.runMigrations()).rejects.toThrow(
        /would create the table app_tokens, which already exists: choose another tablePrefix in gatehouseSchema\(\)/,
      );
    } finally {
      if (source.isInitialized) await source.destroy();
      await db.drop();
    }
  });
});
