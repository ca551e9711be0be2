import { ConfigModuleOptions, registerAs } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { validateGatehouseSettings } from '../index';
import { AppConfig, loadAppConfig } from './app.config';
import { DatabaseConfig, loadDatabaseConfig } from './database.config';
import { flag, parseServerEnv } from './server-env';

export type { AppConfig, DatabaseConfig };

/**
 * The typed shape behind `ConfigService<AllConfig, true>`: what the application itself reads.
 * Gatehouse's own settings (auth, tokens, throttle) are GatehouseConfig, resolved once by
 * AuthModule, so they are not loaded a second time here.
 */
export interface AllConfig {
  app: AppConfig;
  database: DatabaseConfig;
}

export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  load: [
    registerAs('app', () => loadAppConfig()),
    registerAs('database', () => loadDatabaseConfig()),
  ],
  // Entry points load .env themselves (loadDotEnv) before validating; tests set env explicitly.
  ignoreEnvFile: true,
  validate: (raw) => {
    parseServerEnv(raw);
    return raw;
  },
};

/** For entry points (main.ts, the TypeORM CLI): variables already set win over `.env`. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Checks the whole environment before Nest starts, so a bad variable stops the boot with one
 * clear message naming it, not a stack trace: the server's own variables, then Gatehouse's
 * settings, checked as AuthModule will check them (production secrets included).
 */
export function validateServerEnvironment(raw: NodeJS.ProcessEnv = process.env): void {
  parseServerEnv(raw);
  loadAppConfig(raw);
  loadDatabaseConfig(raw);
  validateGatehouseSettings({ settings: raw });
}

/** BENCHMARK_ROUTES=1 mounts the public twin routes `npm run bench` compares against. */
export function benchmarkRoutesEnabled(raw: NodeJS.ProcessEnv = process.env): boolean {
  return flag(parseServerEnv(raw).BENCHMARK_ROUTES, false);
}
