import { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { JwsAlgorithm } from '../keys/jws';
import { loadRuntimeConfig } from './runtime.config';
import { durationToSeconds, parseEnv } from './env.validation';
import { resolveJwtKey } from './jwt-secret';

export interface AuthConfig {
  /** Pinned on sign and verify; never taken from a token's header (RFC 8725 §3.1). */
  algorithm: JwsAlgorithm;
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

export function loadAuthConfig(raw: NodeJS.ProcessEnv = process.env): AuthConfig {
  const env = parseEnv(raw);
  const app = loadRuntimeConfig(raw);
  const algorithm = env.JWT_ALGORITHM ?? 'HS256';
  return {
    algorithm,
    key: algorithm === 'HS256' ? resolveJwtKey(env.JWT_SECRET, app) : undefined,
    keys: {
      dir: env.JWT_KEYS_DIR ?? join(app.dataDir, 'keys'),
      variable: env.JWT_KEYS,
      reloadIntervalMs: durationToSeconds(env.JWT_KEYS_RELOAD_INTERVAL ?? '60s') * 1000,
    },
    isProduction: app.isProduction,
    issuer: env.JWT_ISSUER ?? 'gatehouse',
    audience: env.JWT_AUDIENCE ?? 'gatehouse-api',
    accessTtlSeconds: durationToSeconds(env.JWT_ACCESS_TTL ?? '15m'),
    refreshTtlSeconds: durationToSeconds(env.JWT_REFRESH_TTL ?? '14d'),
    clockToleranceSeconds: durationToSeconds(env.JWT_CLOCK_TOLERANCE ?? '5s'),
    bcryptCost: env.BCRYPT_COST ?? 12,
    reauthMaxAgeSeconds: durationToSeconds(env.REAUTH_MAX_AGE ?? '5m'),
  };
}
