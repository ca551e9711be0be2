import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BenchModule } from './bench/bench.module';
import { CommonModule } from './common/common.module';
import { LoggingModule } from './common/logging/logging.module';
import { benchmarkRoutesEnabled, configModuleOptions } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { NotesModule } from './notes/notes.module';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { AuthModule } from './index';

/**
 * The standalone server: a host like any other. Gatehouse comes in through the package's public
 * face (./index) with its defaults: every route guarded unless @Public(), its routes at the root,
 * its own users table. The rest is the server's: configuration, logs, the database connection,
 * health, the example resource and the benchmark routes.
 */
@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    LoggingModule,
    CommonModule,
    DatabaseModule,
    AuthModule.forRoot({ settings: process.env }),
    NotesModule,
    HealthModule,
    ...(benchmarkRoutesEnabled() ? [BenchModule] : []),
  ],
  providers: [BootstrapAdminService],
})
export class AppModule {}
