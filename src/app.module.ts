import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { BenchModule } from './bench/bench.module';
import { AuditModule } from './common/audit/audit.module';
import { CommonModule } from './common/common.module';
import { LoggingModule } from './common/logging/logging.module';
import { benchmarkRoutesEnabled, configModuleOptions } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { NotesModule } from './notes/notes.module';
import { RedisModule } from './redis/redis.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';
import { BootstrapAdminService } from './users/bootstrap-admin.service';

@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    LoggingModule,
    AuditModule,
    CommonModule,
    DatabaseModule,
    RedisModule,
    UsersModule,
    TokensModule,
    AuthModule.forRoot({ settings: process.env }),
    NotesModule,
    HealthModule,
    ...(benchmarkRoutesEnabled() ? [BenchModule] : []),
  ],
  providers: [BootstrapAdminService],
})
export class AppModule {}
