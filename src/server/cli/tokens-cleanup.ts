import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AuthModule, TokenCleanupService } from '../../index';
import { DatabaseModule } from '../database.module';
import { configModuleOptions, loadDotEnv, validateServerEnvironment } from '../server-config';
import { serverEnvironment } from '../server-env';

@Module({})
class CleanupCliModule {}

/**
 * The server's modules minus HTTP: AuthModule as any host imports it, built only once `.env`
 * has been loaded, since its options read the environment.
 */
function cleanupCliModule(): DynamicModule {
  return {
    module: CleanupCliModule,
    imports: [
      ConfigModule.forRoot(configModuleOptions),
      DatabaseModule,
      AuthModule.forRoot({ settings: serverEnvironment() }),
    ],
  };
}

/** `npm run tokens:cleanup`: one purge of expired tokens and sessions, for cron users. */
async function main(): Promise<void> {
  loadDotEnv();
  validateServerEnvironment();
  const app = await NestFactory.createApplicationContext(cleanupCliModule(), {
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
