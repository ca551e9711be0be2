import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config';
import { buildDataSourceOptions } from './typeorm-options';

/** Opens the database (SQLite by default, MySQL/MariaDB by DATABASE_URL) and runs migrations. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) =>
        buildDataSourceOptions(config.get('database', { infer: true })),
    }),
  ],
})
export class DatabaseModule {}
