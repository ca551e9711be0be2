// The validators read each property's design type (implicit conversion of numbers): the
// metadata must be recorded when the class below is defined, whoever imports this first.
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsBooleanString,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import { JWT_ALGORITHMS } from '../keys/jwt-algorithm';
import type { JwtAlgorithm } from '../keys/jwt-algorithm';
import { ConfigValidationError } from './config-validation.error';
import { DurationRule, IsDuration, parseDuration } from './duration';

export { ConfigValidationError } from './config-validation.error';

export enum NodeEnv {
  Development = 'development',
  Production = 'production',
  Test = 'test',
}

/**
 * Every duration variable and how it reads one. A bare number is seconds for all of them (see
 * {@link parseDuration}); the four that took a bare number as milliseconds before refuse one.
 */
const DURATION_RULES = {
  DATABASE_TIMEOUT: { positive: true, unitRequired: true, timer: true },
  // Each reload reads and parses every key file on the event loop: whole seconds at the least.
  JWT_KEYS_RELOAD_INTERVAL: { wholeSeconds: true, timer: true },
  JWT_ACCESS_TTL: { wholeSeconds: true },
  JWT_REFRESH_TTL: { wholeSeconds: true },
  JWT_CLOCK_TOLERANCE: { wholeSeconds: true },
  REAUTH_MAX_AGE: { wholeSeconds: true },
  REVOCATION_CACHE_TTL: { wholeSeconds: true },
  REVOCATION_SYNC_INTERVAL: { positive: true, unitRequired: true, timer: true },
  TOKEN_CLEANUP_INTERVAL: { wholeSeconds: true, timer: true },
  TOKEN_RETENTION: { wholeSeconds: true },
  TOKEN_CLEANUP_PAUSE: { unitRequired: true, timer: true },
  RATE_LIMIT_WINDOW: { wholeSeconds: true },
  LOCKOUT_BASE_DELAY: { wholeSeconds: true },
  LOCKOUT_MAX_DELAY: { wholeSeconds: true },
  MAIL_RETRY_DELAY: { unitRequired: true, timer: true },
  EMAIL_VERIFICATION_TTL: { positive: true, wholeSeconds: true },
  PASSWORD_RESET_TTL: { positive: true, wholeSeconds: true },
  MAIL_RESEND_INTERVAL: { wholeSeconds: true },
  MFA_TOKEN_TTL: { positive: true, wholeSeconds: true },
  MFA_RESET_WINDOW: { wholeSeconds: true },
  PASSKEY_CHALLENGE_TTL: { positive: true, wholeSeconds: true },
} satisfies Record<string, DurationRule>;

export type DurationVariable = keyof typeof DURATION_RULES;
export const DURATIONS: Readonly<Record<DurationVariable, DurationRule>> = DURATION_RULES;

/**
 * Every setting Gatehouse reads, by environment variable name (`.env.example` documents each
 * one): what `AuthModule.forRoot({ settings })` and the keys CLI accept. The server's own
 * variables (port binding, database, logs) are its own, in src/server.
 */
export class EnvironmentVariables {
  @IsOptional() @IsEnum(NodeEnv) NODE_ENV?: NodeEnv;
  @IsOptional() @Min(0) @Max(65535) @IsInt() PORT?: number;
  @IsOptional() @IsString() DATA_DIR?: string;

  @IsOptional() @IsDuration(DURATIONS.DATABASE_TIMEOUT) DATABASE_TIMEOUT?: string;

  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsOptional()
  @IsIn(JWT_ALGORITHMS, {
    message: `JWT_ALGORITHM must be one of ${JWT_ALGORITHMS.join(', ')} (EdDSA is not offered: jsonwebtoken, under @nestjs/jwt and passport-jwt, has no EdDSA)`,
  })
  JWT_ALGORITHM?: JwtAlgorithm;
  @IsOptional() @IsString() JWT_KEYS_DIR?: string;
  @IsOptional() @IsString() JWT_KEYS?: string;
  @IsOptional() @IsDuration(DURATIONS.JWT_KEYS_RELOAD_INTERVAL) JWT_KEYS_RELOAD_INTERVAL?: string;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional() @IsDuration(DURATIONS.JWT_ACCESS_TTL) JWT_ACCESS_TTL?: string;
  @IsOptional() @IsDuration(DURATIONS.JWT_REFRESH_TTL) JWT_REFRESH_TTL?: string;
  @IsOptional() @IsDuration(DURATIONS.JWT_CLOCK_TOLERANCE) JWT_CLOCK_TOLERANCE?: string;
  @IsOptional() @Min(4) @Max(15) @IsInt() BCRYPT_COST?: number;
  @IsOptional() @IsDuration(DURATIONS.REAUTH_MAX_AGE) REAUTH_MAX_AGE?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;
  @IsOptional() @IsString() REDIS_KEY_PREFIX?: string;
  @IsOptional() @IsDuration(DURATIONS.REVOCATION_CACHE_TTL) REVOCATION_CACHE_TTL?: string;
  @IsOptional() @Min(0) @Max(10_000_000) @IsInt() REVOCATION_CACHE_SIZE?: number;
  @IsOptional() @IsDuration(DURATIONS.REVOCATION_SYNC_INTERVAL) REVOCATION_SYNC_INTERVAL?: string;
  @IsOptional() @Min(0) @Max(10_000_000) @IsInt() VERIFIED_TOKEN_CACHE_SIZE?: number;

  @IsOptional() @IsDuration(DURATIONS.TOKEN_CLEANUP_INTERVAL) TOKEN_CLEANUP_INTERVAL?: string;
  @IsOptional() @IsDuration(DURATIONS.TOKEN_RETENTION) TOKEN_RETENTION?: string;
  @IsOptional() @Min(1) @Max(100_000) @IsInt() TOKEN_CLEANUP_BATCH_SIZE?: number;
  @IsOptional() @IsDuration(DURATIONS.TOKEN_CLEANUP_PAUSE) TOKEN_CLEANUP_PAUSE?: string;

  @IsOptional()
  @Matches(/^([^:,\s]+:[^,\s]{16,})(,[^:,\s]+:[^,\s]{16,})*$/, {
    message:
      'INTROSPECTION_CLIENTS must be id:secret pairs separated by commas, secrets of 16+ characters',
  })
  INTROSPECTION_CLIENTS?: string;

  @IsOptional() @IsString() CORS_ORIGINS?: string;

  @IsOptional() @IsBooleanString() THROTTLE_DISABLED?: string;
  @IsOptional() @Min(1) @Max(100_000) @IsInt() RATE_LIMIT_IP?: number;
  @IsOptional() @Min(1) @Max(100_000) @IsInt() RATE_LIMIT_ACCOUNT?: number;
  @IsOptional() @Min(1) @Max(100_000) @IsInt() RATE_LIMIT_ANONYMOUS?: number;
  @IsOptional() @IsDuration(DURATIONS.RATE_LIMIT_WINDOW) RATE_LIMIT_WINDOW?: string;
  @IsOptional() @Min(1) @Max(1000) @IsInt() LOCKOUT_THRESHOLD?: number;
  @IsOptional() @IsDuration(DURATIONS.LOCKOUT_BASE_DELAY) LOCKOUT_BASE_DELAY?: string;
  @IsOptional() @IsDuration(DURATIONS.LOCKOUT_MAX_DELAY) LOCKOUT_MAX_DELAY?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, {
    message: 'APP_URL must be an http(s) URL such as https://app.example.com',
  })
  APP_URL?: string;
  @IsOptional() @IsString() @MaxLength(64) APP_NAME?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must start with smtp:// or smtps://' })
  SMTP_URL?: string;
  @IsOptional() @IsString() MAIL_FROM?: string;
  @IsOptional() @IsString() MAIL_OUTBOX_DIR?: string;
  @IsOptional() @Min(1) @Max(20) @IsInt() MAIL_MAX_ATTEMPTS?: number;
  @IsOptional() @IsDuration(DURATIONS.MAIL_RETRY_DELAY) MAIL_RETRY_DELAY?: string;

  @IsOptional() @IsBooleanString() AUTH_REQUIRE_VERIFIED_EMAIL?: string;
  @IsOptional() @IsBooleanString() AUTH_REGISTRATION_QUIET?: string;
  @IsOptional() @IsDuration(DURATIONS.EMAIL_VERIFICATION_TTL) EMAIL_VERIFICATION_TTL?: string;
  @IsOptional() @IsDuration(DURATIONS.PASSWORD_RESET_TTL) PASSWORD_RESET_TTL?: string;
  @IsOptional() @IsDuration(DURATIONS.MAIL_RESEND_INTERVAL) MAIL_RESEND_INTERVAL?: string;

  @IsOptional() @IsString() MFA_ENCRYPTION_KEY?: string;
  @IsOptional() @IsDuration(DURATIONS.MFA_TOKEN_TTL) MFA_TOKEN_TTL?: string;
  @IsOptional() @IsDuration(DURATIONS.MFA_RESET_WINDOW) MFA_RESET_WINDOW?: string;

  @IsOptional() @IsBooleanString() PASSKEYS?: string;
  @IsOptional() @IsString() PASSKEY_RP_ID?: string;
  @IsOptional() @IsString() @MaxLength(64) PASSKEY_RP_NAME?: string;
  @IsOptional() @IsString() PASSKEY_ORIGINS?: string;
  @IsOptional() @IsDuration(DURATIONS.PASSKEY_CHALLENGE_TTL) PASSKEY_CHALLENGE_TTL?: string;

  @IsOptional() @IsBooleanString() AUTH_COOKIE_MODE?: string;
  @IsOptional() @IsBooleanString() AUTH_COOKIE_SECURE?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'AUTH_COOKIE_NAME must be 1-64 letters, digits, _ or -',
  })
  AUTH_COOKIE_NAME?: string;
  @IsOptional() @IsString() AUTH_COOKIE_ORIGINS?: string;
}

/**
 * Validates the raw environment: the typed values, and every problem found (none when it is
 * valid). The values are only to be trusted when there is no problem.
 */
export function checkEnv(raw: Record<string, unknown>): {
  env: EnvironmentVariables;
  problems: string[];
} {
  // Empty strings mean "unset": docker-compose and .env files often carry `FOO=`.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const env = plainToInstance(EnvironmentVariables, cleaned, { enableImplicitConversion: true });
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((e) =>
    Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }),
  );
  return { env, problems };
}

/**
 * Parses and validates the raw environment: the one place Gatehouse's variables are checked.
 * Throws {@link ConfigValidationError} naming every bad one.
 */
export function parseEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const { env, problems } = checkEnv(raw);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env;
}

/** A duration variable of a parsed environment, or its default, in milliseconds. */
export function durationMs(
  env: EnvironmentVariables,
  name: DurationVariable,
  fallback: string,
): number {
  return parseDuration(env[name] ?? fallback, name, DURATIONS[name]);
}

/** A duration variable of a parsed environment, or its default, in (whole) seconds. */
export function durationSeconds(
  env: EnvironmentVariables,
  name: DurationVariable,
  fallback: string,
): number {
  return durationMs(env, name, fallback) / 1000;
}

/** `a, b,,c` → `['a', 'b', 'c']`: comma-separated lists as the variables write them. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function envFlag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}

/**
 * The process's environment. Gatehouse reads it here and nowhere else (entry points that load
 * the environment: the keys CLI, GatehouseConfigModule.fromEnvironment, whether this is
 * production); the rest reads the settings it was given, parsed once.
 */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
