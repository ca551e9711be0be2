import { EnvironmentVariables, durationMs, durationSeconds, parseEnv } from './env.validation';

export interface TokensConfig {
  /** When set, revocations are shared through Redis (cache + pub/sub) across instances. */
  redisUrl?: string;
  /** Prefixes every Redis key and channel, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /** How long a token's state may be trusted from the in-process cache; 0 turns caching off. */
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
  /**
   * With Redis: how often each instance reads the revocation outbox (revocations not yet known to
   * be in Redis) and proves its subscription alive. Its caches are trusted for twice this long
   * after the last sync that succeeded: the longest any instance can accept a revoked token.
   */
  revocationSyncIntervalMs: number;
  /** DATABASE_TIMEOUT: the longest Gatehouse waits for its turn at the database. */
  databaseTimeoutMs: number;
  /** Verified access tokens kept (by exact string) to skip re-verifying their signature; 0 = off. */
  verifiedCacheMaxEntries: number;
  /** How often expired rows are deleted; 0 turns the scheduled job off. */
  cleanupIntervalSeconds: number;
  /** How long after expiry a row is kept (for audits and refresh-token reuse detection). */
  retentionSeconds: number;
  cleanupBatchSize: number;
  /** Pause between two cleanup batches, in milliseconds. */
  cleanupPauseMs: number;
  /** Clients allowed to call /oauth2/introspect with HTTP Basic auth: id → secret. */
  introspectionClients: Map<string, string>;
}

/** For a tool that needs this namespace alone (tests): parses `raw` first. */
export function loadTokensConfig(raw: Record<string, unknown>): TokensConfig {
  return tokensConfigFrom(parseEnv(raw));
}

export function tokensConfigFrom(env: EnvironmentVariables): TokensConfig {
  const clients = (env.INTROSPECTION_CLIENTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':');
      return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
    });
  return {
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'gatehouse:',
    cacheTtlSeconds: durationSeconds(env, 'REVOCATION_CACHE_TTL', '60s'),
    cacheMaxEntries: env.REVOCATION_CACHE_SIZE ?? 100_000,
    revocationSyncIntervalMs: durationMs(env, 'REVOCATION_SYNC_INTERVAL', '500ms'),
    databaseTimeoutMs: durationMs(env, 'DATABASE_TIMEOUT', '5s'),
    verifiedCacheMaxEntries: env.VERIFIED_TOKEN_CACHE_SIZE ?? 50_000,
    cleanupIntervalSeconds: durationSeconds(env, 'TOKEN_CLEANUP_INTERVAL', '1h'),
    retentionSeconds: durationSeconds(env, 'TOKEN_RETENTION', '7d'),
    cleanupBatchSize: env.TOKEN_CLEANUP_BATCH_SIZE ?? 500,
    cleanupPauseMs: durationMs(env, 'TOKEN_CLEANUP_PAUSE', '100ms'),
    introspectionClients: new Map(clients),
  };
}
