import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/config/database.config';
import { buildDataSourceOptions, migrations } from '../src/database/typeorm-options';
import { User } from '../src/users/entities/user.entity';
import { createTestDatabase, databaseKinds } from './support/databases';

describe.each(databaseKinds())('schema on %s', (kind) => {
  it('is built by the migrations alone and matches the entities exactly', async () => {
    const db = await createTestDatabase(kind);
    const dataSource = new DataSource(
      buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url })),
    );
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(dataSource.options.synchronize).toBe(false);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    }
  });

  it('reverts every migration cleanly', async () => {
    const db = await createTestDatabase(kind);
    const dataSource = new DataSource(
      buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: db.url })),
    );
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration();
      const queryRunner = dataSource.createQueryRunner();
      for (const table of ['users', 'tokens', 'sessions', 'notes']) {
        expect(await queryRunner.hasTable(table)).toBe(false);
      }
      await queryRunner.release();
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    }
  });

  it('stores timestamps in UTC whatever the database session time zone', async () => {
    const db = await createTestDatabase(kind);
    const options = buildDataSourceOptions(
      loadDatabaseConfig({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: '1' }),
    );
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      if (kind === 'mysql') await dataSource.query("SET time_zone = '+02:00'");
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
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    }
  });
});
