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

export enum NodeEnv {
  Development = 'development',
  Production = 'production',
  Test = 'test',
}

const DURATION = /^\d+\s*(s|m|h|d)?$/;
/** What {@link durationToMs} reads: milliseconds, or seconds with `s`. */
const MS_DURATION = /^[1-9]\d*\s*(ms|s)?$/;

/**
 * Every setting Gatehouse reads, by environment variable name (`.env.example` documents each
 * one): what `AuthModule.forRoot({ settings })` and the keys CLI accept. The server's own
 * variables (port binding, database, logs) are its own, in src/server.
 */
export class EnvironmentVariables {
  @IsOptional() @IsEnum(NodeEnv) NODE_ENV?: NodeEnv;
  @IsOptional() @Min(0) @Max(65535) @IsInt() PORT?: number;
  @IsOptional() @IsString() DATA_DIR?: string;

  @IsOptional()
  @Matches(MS_DURATION, { message: 'DATABASE_TIMEOUT must be a duration such as 5s or 1500ms' })
  DATABASE_TIMEOUT?: string;

  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsOptional()
  @IsIn(['HS256', 'EdDSA', 'ES256', 'RS256'], {
    message: 'JWT_ALGORITHM must be one of HS256, EdDSA, ES256, RS256',
  })
  JWT_ALGORITHM?: 'HS256' | 'EdDSA' | 'ES256' | 'RS256';
  @IsOptional() @IsString() JWT_KEYS_DIR?: string;
  @IsOptional() @IsString() JWT_KEYS?: string;
  @IsOptional()
  @Matches(DURATION, {
    message: 'JWT_KEYS_RELOAD_INTERVAL must be a duration such as 60s (0 turns it off)',
  })
  JWT_KEYS_RELOAD_INTERVAL?: string;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'JWT_ACCESS_TTL must be a duration such as 900, 15m or 1h' })
  JWT_ACCESS_TTL?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'JWT_REFRESH_TTL must be a duration such as 14d or 336h' })
  JWT_REFRESH_TTL?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'JWT_CLOCK_TOLERANCE must be a duration such as 5s' })
  JWT_CLOCK_TOLERANCE?: string;
  @IsOptional() @Min(4) @Max(15) @IsInt() BCRYPT_COST?: number;
  @IsOptional()
  @Matches(DURATION, {
    message: 'REAUTH_MAX_AGE must be a duration such as 5m (0: always ask for the password)',
  })
  REAUTH_MAX_AGE?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;
  @IsOptional() @IsString() REDIS_KEY_PREFIX?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'REVOCATION_CACHE_TTL must be a duration such as 60s; 0 disables' })
  REVOCATION_CACHE_TTL?: string;
  @IsOptional() @Min(0) @Max(10_000_000) @IsInt() REVOCATION_CACHE_SIZE?: number;
  @IsOptional()
  @Matches(MS_DURATION, {
    message: 'REVOCATION_SYNC_INTERVAL must be a duration such as 500ms or 1s',
  })
  REVOCATION_SYNC_INTERVAL?: string;
  @IsOptional() @Min(0) @Max(10_000_000) @IsInt() VERIFIED_TOKEN_CACHE_SIZE?: number;

  @IsOptional()
  @Matches(DURATION, {
    message: 'TOKEN_CLEANUP_INTERVAL must be a duration such as 1h; 0 disables',
  })
  TOKEN_CLEANUP_INTERVAL?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'TOKEN_RETENTION must be a duration such as 7d' })
  TOKEN_RETENTION?: string;
  @IsOptional() @Min(1) @Max(100_000) @IsInt() TOKEN_CLEANUP_BATCH_SIZE?: number;
  @IsOptional()
  @Matches(/^\d+\s*(ms|s)?$/, { message: 'TOKEN_CLEANUP_PAUSE must be a duration such as 50ms' })
  TOKEN_CLEANUP_PAUSE?: string;

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
  @IsOptional()
  @Matches(DURATION, { message: 'RATE_LIMIT_WINDOW must be a duration such as 1m' })
  RATE_LIMIT_WINDOW?: string;
  @IsOptional() @Min(1) @Max(1000) @IsInt() LOCKOUT_THRESHOLD?: number;
  @IsOptional()
  @Matches(DURATION, { message: 'LOCKOUT_BASE_DELAY must be a duration such as 30s' })
  LOCKOUT_BASE_DELAY?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'LOCKOUT_MAX_DELAY must be a duration such as 15m' })
  LOCKOUT_MAX_DELAY?: string;

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
  @IsOptional()
  @Matches(/^\d+\s*(ms|s)?$/, {
    message: 'MAIL_RETRY_DELAY must be a duration such as 2s or 500ms',
  })
  MAIL_RETRY_DELAY?: string;

  @IsOptional() @IsBooleanString() AUTH_REQUIRE_VERIFIED_EMAIL?: string;
  @IsOptional() @IsBooleanString() AUTH_REGISTRATION_QUIET?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'EMAIL_VERIFICATION_TTL must be a duration such as 24h' })
  EMAIL_VERIFICATION_TTL?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'PASSWORD_RESET_TTL must be a duration such as 30m' })
  PASSWORD_RESET_TTL?: string;
  @IsOptional()
  @Matches(DURATION, {
    message: 'MAIL_RESEND_INTERVAL must be a duration such as 60s; 0 allows every request',
  })
  MAIL_RESEND_INTERVAL?: string;

  @IsOptional() @IsString() MFA_ENCRYPTION_KEY?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'MFA_TOKEN_TTL must be a duration such as 5m' })
  MFA_TOKEN_TTL?: string;
  @IsOptional()
  @Matches(DURATION, {
    message:
      'MFA_RESET_WINDOW must be a duration such as 7d (0: a reset never turns two-factor off)',
  })
  MFA_RESET_WINDOW?: string;

  @IsOptional() @IsBooleanString() AUTH_COOKIE_MODE?: string;
  @IsOptional() @IsBooleanString() AUTH_COOKIE_SECURE?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'AUTH_COOKIE_NAME must be 1-64 letters, digits, _ or -',
  })
  AUTH_COOKIE_NAME?: string;
  @IsOptional() @IsString() AUTH_COOKIE_ORIGINS?: string;
}

/** Thrown at boot; names every bad variable so the operator can fix them all in one go. */
export class ConfigValidationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Parses and validates the raw environment; throws {@link ConfigValidationError} when it is wrong. */
export function parseEnv(raw: Record<string, unknown>): EnvironmentVariables {
  // Empty strings mean "unset": docker-compose and .env files often carry `FOO=`.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const env = plainToInstance(EnvironmentVariables, cleaned, { enableImplicitConversion: true });
  const errors = validateSync(env, { stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      errors.flatMap((e) =>
        Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }),
      ),
    );
  }
  return env;
}

/** `900`, `15m`, `2h`, `14d` → seconds. */
export function durationToSeconds(value: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new ConfigValidationError([`not a duration: ${value}`]);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? 's'] ?? 1;
  return Number(match[1]) * unit;
}

/** `50ms`, `2s`, `100` (milliseconds) → milliseconds. */
export function durationToMs(value: string): number {
  const match = /^(\d+)\s*(ms|s)?$/.exec(value.trim());
  if (!match) throw new ConfigValidationError([`not a duration: ${value}`]);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
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
