import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/config/database.config';
import { buildDataSourceOptions, migrations } from '../src/database/typeorm-options';
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
});
