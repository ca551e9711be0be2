import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { boundMysqlWaits, boundPostgresWaits } from '../index';
import type { AllConfig } from './server-config';
import { buildDataSourceOptions } from './typeorm-options';

/** Opens the database (SQLite by default, MySQL/MariaDB by DATABASE_URL) and runs migrations. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) =>
        buildDataSourceOptions(config.get('database', { infer: true })),
      dataSourceFactory: (options) => openDataSource(options as DataSourceOptions),
    }),
  ],
})
export class DatabaseModule {}

/** Connects (running the migrations, if asked), then bounds every later wait by DATABASE_TIMEOUT. */
async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type === 'postgres') return openPostgres(options);
  const dataSource = new DataSource(options);
  // buildDataSourceOptions sets connectTimeout to DATABASE_TIMEOUT; the other waits follow it.
  const mysql = options.type === 'mysql' || options.type === 'mariadb';
  const timeoutMs = (options as MysqlConnectionOptions).connectTimeout ?? 5000;
  const waits = mysql ? boundMysqlWaits(dataSource, timeoutMs) : undefined;
  await dataSource.initialize();
  waits?.arm();
  return dataSource;
}

/**
 * PostgreSQL's connections carry DATABASE_TIMEOUT's server-side bounds from the start
 * (typeorm-options.ts); the client-side one (boundPostgresWaits) is armed after the migrations.
 * The migrations at boot run on a connection of their own with the server-side bounds lifted too,
 * since an ALTER TABLE on a large table, or a lock held through a rolling deploy, may rightly take
 * longer; they are put back before the connection returns to the pool.
 */
async function openPostgres(options: PostgresConnectionOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  const waits = boundPostgresWaits(dataSource, options.connectTimeoutMS ?? 5000);
  await dataSource.initialize();
  try {
    if (options.migrationsRun) await migrateUnbounded(dataSource, options);
  } catch (error) {
    // The boot stops: every connection closes, that one with its lifted bounds included.
    await dataSource.destroy();
    throw error;
  }
  waits.arm();
  return dataSource;
}

const LIFTED = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'];

async function migrateUnbounded(
  dataSource: DataSource,
  options: PostgresConnectionOptions,
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  for (const setting of LIFTED) await runner.query(`SET ${setting} = 0`);
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = options.migrationsTransactionMode ?? 'all';
  await executor.executePendingMigrations();
  for (const setting of LIFTED) await runner.query(`RESET ${setting}`);
  await runner.release();
}
