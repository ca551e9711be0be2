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
import { ConfigValidationError, type DurationRule, parseDuration } from '../index';

/** pino's levels, plus `silent`: what LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The server's duration variables, read with Gatehouse's one duration parser (a bare number is
 * seconds). DATABASE_TIMEOUT took a bare number as milliseconds before, so it wants a unit now,
 * as Gatehouse, which reads it too, does.
 */
const DURATIONS = {
  DATABASE_TIMEOUT: { positive: true, unitRequired: true, timer: true },
  HTTP_REQUEST_TIMEOUT: { timer: true },
  HTTP_HEADERS_TIMEOUT: { timer: true },
  HTTP_KEEP_ALIVE_TIMEOUT: { timer: true },
} satisfies Record<string, DurationRule>;

type ServerDuration = keyof typeof DURATIONS;

/**
 * The standalone server's own variables: where it listens, its database, its logs. Gatehouse's
 * settings (JWT_*, REDIS_URL, ...) are validated by Gatehouse, which the server hands the
 * environment as any host could. A few names (NODE_ENV, PORT, DATA_DIR, CORS_ORIGINS,
 * DATABASE_TIMEOUT) are read by both, each for its own purpose, by the same rules.
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
  @IsOptional() @IsString() DATABASE_TIMEOUT?: string;

  @IsOptional()
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must be a size such as 64kb or 1mb' })
  BODY_LIMIT?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsIn(['express', 'fastify']) HTTP_ADAPTER?: 'express' | 'fastify';
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional() @IsString() HTTP_REQUEST_TIMEOUT?: string;
  @IsOptional() @IsString() HTTP_HEADERS_TIMEOUT?: string;
  @IsOptional() @IsString() HTTP_KEEP_ALIVE_TIMEOUT?: string;

  @IsOptional() @IsString() BOOTSTRAP_ADMIN_EMAIL?: string;
  @IsOptional() @IsString() BOOTSTRAP_ADMIN_PASSWORD?: string;
  @IsOptional() @IsBooleanString() BENCHMARK_ROUTES?: string;
}

/**
 * The process's environment: the one place the server reads it. The object itself, not a copy:
 * `.env` is loaded into it first (loadDotEnv), and tests set variables before each app boots.
 */
export function serverEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/**
 * Validates the server's variables, durations included; throws Gatehouse's ConfigValidationError
 * naming each bad one.
 */
export function parseServerEnv(raw: Record<string, unknown>): ServerEnvironment {
  // Empty strings mean "unset": docker-compose and .env files often carry `FOO=`.
  const set = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = plainToInstance(ServerEnvironment, set, { enableImplicitConversion: true });
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );
  for (const name of Object.keys(DURATIONS) as ServerDuration[]) {
    const value = env[name];
    if (value === undefined) continue;
    try {
      parseDuration(value, name, DURATIONS[name]);
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env;
}

/** A duration variable of the parsed environment, or its default, in milliseconds. */
export function durationMs(env: ServerEnvironment, name: ServerDuration, fallback: string): number {
  return parseDuration(env[name] ?? fallback, name, DURATIONS[name]);
}

export function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}
