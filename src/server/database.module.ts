import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
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
  const dataSource = new DataSource(options);
  // buildDataSourceOptions sets connectTimeout to DATABASE_TIMEOUT; the other waits follow it.
  const mysql = options.type === 'mysql' || options.type === 'mariadb';
  const timeoutMs = (options as MysqlConnectionOptions).connectTimeout ?? 5000;
  const waits = mysql ? boundMysqlWaits(dataSource, timeoutMs) : undefined;
  await dataSource.initialize();
  waits?.arm();
  return dataSource;
}
