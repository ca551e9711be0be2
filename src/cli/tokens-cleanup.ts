import { Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { configModuleOptions, loadDotEnv, validateEnvironment } from '../config';
import { AuditModule } from '../common/audit/audit.module';
import { GatehouseConfigModule } from '../config/gatehouse-config';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';
import { TokenCleanupService } from '../tokens/token-cleanup.service';
import { TokensModule } from '../tokens/tokens.module';

@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    GatehouseConfigModule.fromEnvironment(),
    AuditModule,
    DatabaseModule,
    RedisModule,
    TokensModule,
  ],
})
class CleanupCliModule {}

/** `npm run tokens:cleanup`: one purge of expired tokens and sessions, for cron users. */
async function main(): Promise<void> {
  loadDotEnv();
  validateEnvironment();
  const app = await NestFactory.createApplicationContext(CleanupCliModule, {
    logger: ['log', 'warn', 'error'],
    abortOnError: false,
  });
  try {
    await app.get(TokenCleanupService).purgeExpired();
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  new Logger('tokens:cleanup').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
