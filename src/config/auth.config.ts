import { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { JwtAlgorithm } from '../keys/jwt-algorithm';
import { RuntimeConfig, runtimeConfigFrom } from './runtime.config';
import { EnvironmentVariables, durationMs, durationSeconds, parseEnv } from './env.validation';
import { resolveJwtKey } from './jwt-secret';

export interface AuthConfig {
  /** Pinned on sign and verify; never taken from a token's header (RFC 8725 §3.1). */
  algorithm: JwtAlgorithm;
  /** The HS256 secret; the asymmetric algorithms use `keys` instead. */
  key?: KeyObject;
  keys: {
    /** Where the key files live (JWT_KEYS_DIR, default `<DATA_DIR>/keys`). */
    dir: string;
    /** JWT_KEYS, when the keys come from the environment rather than from files. */
    variable?: string;
    reloadIntervalMs: number;
  };
  isProduction: boolean;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Leeway for exp, nbf and iat between servers whose clocks differ a little (RFC 7519 §4.1.4). */
  clockToleranceSeconds: number;
  bcryptCost: number;
  /**
   * How long after signing in a session may change how the account signs in (password, second
   * factor, other sessions) without giving the password again (REAUTH_MAX_AGE).
   */
  reauthMaxAgeSeconds: number;
}

/** For a tool that needs this namespace alone (the keys CLI, tests): parses `raw` first. */
export function loadAuthConfig(raw: Record<string, unknown>): AuthConfig {
  const env = parseEnv(raw);
  return authConfigFrom(env, runtimeConfigFrom(env));
}

/**
 * From the parsed environment. With HS256 this resolves the secret: in development a missing one
 * is generated into the data directory (and said so); production has no fallback.
 */
export function authConfigFrom(env: EnvironmentVariables, runtime: RuntimeConfig): AuthConfig {
  const algorithm = env.JWT_ALGORITHM ?? 'HS256';
  return {
    algorithm,
    key: algorithm === 'HS256' ? resolveJwtKey(env.JWT_SECRET, runtime) : undefined,
    keys: {
      dir: jwtKeysDir(env, runtime),
      variable: env.JWT_KEYS,
      reloadIntervalMs: durationMs(env, 'JWT_KEYS_RELOAD_INTERVAL', '60s'),
    },
    isProduction: runtime.isProduction,
    issuer: env.JWT_ISSUER ?? 'gatehouse',
    audience: env.JWT_AUDIENCE ?? 'gatehouse-api',
    accessTtlSeconds: durationSeconds(env, 'JWT_ACCESS_TTL', '15m'),
    refreshTtlSeconds: durationSeconds(env, 'JWT_REFRESH_TTL', '14d'),
    clockToleranceSeconds: durationSeconds(env, 'JWT_CLOCK_TOLERANCE', '5s'),
    bcryptCost: env.BCRYPT_COST ?? 12,
    reauthMaxAgeSeconds: durationSeconds(env, 'REAUTH_MAX_AGE', '5m'),
  };
}

/** JWT_KEYS_DIR, by default `<DATA_DIR>/keys`. */
export function jwtKeysDir(env: EnvironmentVariables, runtime: RuntimeConfig): string {
  return env.JWT_KEYS_DIR ?? join(runtime.dataDir, 'keys');
}
