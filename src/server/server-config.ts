import { ConfigModuleOptions } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { ConfigValidationError, validateGatehouseSettings } from '../index';
import { AppConfig, appConfigFrom } from './app.config';
import { DatabaseConfig, databaseConfigFrom } from './database.config';
import { flag, parseServerEnv, serverEnvironment } from './server-env';

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

/**
 * The server's configuration: its variables parsed once, each namespace built from the typed
 * result, every problem named in one ConfigValidationError.
 */
export function loadServerConfig(raw: Record<string, unknown> = serverEnvironment()): AllConfig {
  const env = parseServerEnv(raw);
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const app = attempt(() => appConfigFrom(env));
  const database = attempt(() => databaseConfigFrom(env));
  if (!app || !database) throw new ConfigValidationError(problems);
  return { app, database };
}

export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  // One factory for the server's two namespaces, `app` and `database` (a factory without
  // registerAs is merged in). main.ts checked the same environment before Nest started, to
  // report every problem in one message rather than as a stack trace.
  load: [(): AllConfig => loadServerConfig()],
  // Entry points load .env themselves (loadDotEnv) before validating; tests set env explicitly.
  ignoreEnvFile: true,
};

/** For entry points (main.ts, the TypeORM CLI): variables already set win over `.env`. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Checks the whole environment before Nest starts, so that bad variables stop the boot with one
 * clear message naming every one of them, not a stack trace: the server's own variables, and
 * Gatehouse's settings, checked as AuthModule will check them (production's secrets included).
 * Returns the server's configuration.
 */
export function validateServerEnvironment(
  raw: Record<string, unknown> = serverEnvironment(),
): AllConfig {
  const problems: string[] = [];
  let config: AllConfig | undefined;
  try {
    config = loadServerConfig(raw);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    problems.push(...error.problems);
  }
  try {
    validateGatehouseSettings({ settings: raw as Record<string, string | undefined> });
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    problems.push(...error.problems);
  }
  // NODE_ENV, PORT, DATABASE_TIMEOUT…: read by both, by the same rules, and named once.
  if (!config || problems.length > 0) throw new ConfigValidationError([...new Set(problems)]);
  return config;
}

/** BENCHMARK_ROUTES=1 mounts the public twin routes `npm run bench` compares against. */
export function benchmarkRoutesEnabled(
  raw: Record<string, unknown> = serverEnvironment(),
): boolean {
  return flag(parseServerEnv(raw).BENCHMARK_ROUTES, false);
}
