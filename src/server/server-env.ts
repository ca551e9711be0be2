// The validators read each property's design type (implicit conversion of numbers).
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { ConfigValidationError } from '../index';

const DURATION = /^\d+\s*(s|m|h|d)?$/;

/** pino's levels, plus `silent`: what LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The standalone server's own variables: where it listens, its database, its logs. Gatehouse's
 * settings (JWT_*, REDIS_URL, ...) are validated by AuthModule, which the server hands
 * `process.env` as any host could. A few names (NODE_ENV, PORT, DATA_DIR, CORS_ORIGINS,
 * DATABASE_TIMEOUT) are read by both, each for its own purpose.
 */
export class ServerEnvironment {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?:
    'development' | 'production' | 'test';
  @IsOptional() @Min(0) @Max(65535) @IsInt() PORT?: number;
  @IsOptional() @IsString() HOST?: string;
  @IsOptional() @IsString() DATA_DIR?: string;
  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @Matches(/^(sqlite:|mysql:\/\/|mariadb:\/\/|postgres:\/\/|postgresql:\/\/)/, {
    message:
      'DATABASE_URL must start with sqlite:, mysql://, mariadb://, postgres:// or postgresql://',
  })
  DATABASE_URL?: string;
  @IsOptional() @IsBooleanString() DATABASE_MIGRATIONS_RUN?: string;
  @IsOptional() @IsBooleanString() DATABASE_LOGGING?: string;
  @IsOptional() @Min(1) @Max(1000) @IsInt() DATABASE_POOL_SIZE?: number;
  @IsOptional()
  @Matches(/^[1-9]\d*\s*(ms|s)?$/, {
    message: 'DATABASE_TIMEOUT must be a duration such as 5s or 1500ms',
  })
  DATABASE_TIMEOUT?: string;

  @IsOptional()
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must be a size such as 64kb or 1mb' })
  BODY_LIMIT?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsIn(['express', 'fastify']) HTTP_ADAPTER?: 'express' | 'fastify';
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'HTTP_REQUEST_TIMEOUT must be a duration such as 30s' })
  HTTP_REQUEST_TIMEOUT?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'HTTP_HEADERS_TIMEOUT must be a duration such as 10s' })
  HTTP_HEADERS_TIMEOUT?: string;
  @IsOptional()
  @Matches(DURATION, { message: 'HTTP_KEEP_ALIVE_TIMEOUT must be a duration such as 5s' })
  HTTP_KEEP_ALIVE_TIMEOUT?: string;

  @IsOptional() @IsString() BOOTSTRAP_ADMIN_EMAIL?: string;
  @IsOptional() @IsString() BOOTSTRAP_ADMIN_PASSWORD?: string;
  @IsOptional() @IsBooleanString() BENCHMARK_ROUTES?: string;
}

/** Validates the server's variables; throws Gatehouse's ConfigValidationError naming each bad one. */
export function parseServerEnv(raw: Record<string, unknown>): ServerEnvironment {
  // Empty strings mean "unset": docker-compose and .env files often carry `FOO=`.
  const set = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = plainToInstance(ServerEnvironment, set, { enableImplicitConversion: true });
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env;
}

/** `30s`, `5m`, `1500ms`, `100` (seconds unless `ms`) → milliseconds. */
export function durationMs(value: string, bareUnit: 's' | 'ms'): number {
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new ConfigValidationError([`not a duration: ${value}`]);
  const unit =
    { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? bareUnit] ?? 1;
  return Number(match[1]) * unit;
}

export function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}
