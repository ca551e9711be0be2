import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import { boundMysqlWaits } from '../index';
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
 * PostgreSQL's connections carry DATABASE_TIMEOUT from the start (typeorm-options.ts): the
 * migrations at boot run on a connection of their own with the bounds lifted, since an ALTER
 * TABLE on a large table may rightly take longer, and put back before it returns to the pool.
 */
async function openPostgres(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  await dataSource.initialize();
  if (!options.migrationsRun) return dataSource;
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET lock_timeout = 0');
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = options.migrationsTransactionMode ?? 'all';
    await executor.executePendingMigrations();
    await runner.query('RESET statement_timeout');
    await runner.query('RESET lock_timeout');
    await runner.release();
    return dataSource;
  } catch (error) {
    // The boot stops: every connection closes, that one with its lifted bounds included.
    await dataSource.destroy();
    throw error;
  }
}
