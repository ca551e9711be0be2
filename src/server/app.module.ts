import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from '../index';
import { AccountPagesModule } from './pages/account-pages.module';
import { BenchModule } from './bench/bench.module';
import { DatabaseModule } from './database.module';
import { HttpModule } from './http.module';
import { LoggingModule } from './logging/logging.module';
import { benchmarkRoutesEnabled, configModuleOptions } from './server-config';
import { serverEnvironment } from './server-env';
import { HealthModule } from './health/health.module';
import { NotesModule } from './notes/notes.module';
import { BootstrapAdminService } from './bootstrap-admin.service';

/**
 * The standalone server: a host like any other. Gatehouse comes in through the package's public
 * face (src/index.ts) with its defaults: every route guarded unless @Public(), its routes at the root,
 * its own users table. The rest is the server's: configuration, logs, the database connection,
 * health, the pages the account mails link to, the example resource and the benchmark routes.
 */
@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    LoggingModule,
    HttpModule,
    DatabaseModule,
    AuthModule.forRoot({ settings: serverEnvironment() }),
    NotesModule,
    HealthModule,
    AccountPagesModule,
    ...(benchmarkRoutesEnabled() ? [BenchModule] : []),
  ],
  providers: [BootstrapAdminService],
})
export class AppModule {}
