import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './database.config';
import { loadDotEnv } from './server-config';
import { buildDataSourceOptions } from './typeorm-options';

// Entry point for the TypeORM CLI (`npm run migration:run`, `migration:generate`).
loadDotEnv();
// Unbounded, as a migration may rightly take longer than DATABASE_TIMEOUT.
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(), { waits: false }));
