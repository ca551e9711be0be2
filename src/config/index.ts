import { ConfigModuleOptions, registerAs } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { AppConfig, loadAppConfig } from './app.config';
import type { AccountConfig, CookieConfig, MailConfig } from './account.config';
import type { AuthConfig } from './auth.config';
import { DatabaseConfig, loadDatabaseConfig } from './database.config';
import type { ThrottleConfig } from './throttle.config';
import type { TokensConfig } from './tokens.config';
import { assertProductionMfaKey, loadAccountConfig } from './account.config';
import { NodeEnv, envFlag, parseEnv } from './env.validation';
import { assertProductionSecret } from './jwt-secret';

export type {
  AccountConfig,
  AppConfig,
  AuthConfig,
  CookieConfig,
  DatabaseConfig,
  MailConfig,
  ThrottleConfig,
  TokensConfig,
};

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
  load: [registerAs('app', () => loadAppConfig()), registerAs('database', () => loadDatabaseConfig())],
  // Entry points load .env themselves (loadDotEnv) before validating; tests set env explicitly.
  ignoreEnvFile: true,
  validate: (raw) => {
    parseEnv(raw);
    return raw;
  },
};

/** For entry points (main.ts, the TypeORM CLI): variables already set win over `.env`. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Checks the whole environment before Nest starts, so a bad variable stops the boot with one
 * clear message naming it, not a stack trace.
 */
export function validateEnvironment(raw: NodeJS.ProcessEnv = process.env): void {
  const env = parseEnv(raw);
  // The asymmetric algorithms need keys instead, checked when SigningKeys loads them.
  const hs256 = (env.JWT_ALGORITHM ?? 'HS256') === 'HS256';
  if (env.NODE_ENV === NodeEnv.Production && hs256) assertProductionSecret(env.JWT_SECRET);
}

/**
 * What the server needs on top of {@link validateEnvironment}, which the CLIs share: the key
 * sealing TOTP secrets (the CLIs never open one).
 */
export function validateServerEnvironment(raw: NodeJS.ProcessEnv = process.env): void {
  validateEnvironment(raw);
  const env = parseEnv(raw);
  if (env.NODE_ENV === NodeEnv.Production) assertProductionMfaKey(env.MFA_ENCRYPTION_KEY);
  loadAccountConfig(raw);
}

/** BENCHMARK_ROUTES=1 mounts the public twin routes `npm run bench` compares against. */
export function benchmarkRoutesEnabled(raw: NodeJS.ProcessEnv = process.env): boolean {
  return envFlag(parseEnv(raw).BENCHMARK_ROUTES, false);
}
