import { Injectable, OnModuleInit } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { RedisService } from '../../redis/redis.service';
import { TokenState } from '../token-state';

/**
 * Access-token states shared through Redis, so a fresh instance (or an in-process cache miss)
 * rarely needs the database. Every failure reads as a miss: the caller then asks the database.
 * Read only while RevocationBus trusts the caches: a "live" written before an outage is never
 * believed after it until the revocations made meanwhile have overwritten it.
 *
 * - Revocations overwrite (`SET`), and their markers live until the token expires.
 * - Fills never overwrite (`SET NX`), so a fill that raced with a revocation cannot undo it, and
 *   live states live no longer than the in-process cache TTL.
 * - Keys carry the Redis server's `run_id`: a server restarted from a snapshot, or a replica
 *   promoted after a failover, may hold a "live" whose revoked marker it lost; under its new
 *   `run_id` none of that is read. Until the server is identified after a (re)connection, every
 *   read is a miss and every write refused.
 */
@Injectable()
export class SharedTokenStateStore implements OnModuleInit {
  private readonly liveTtlMs: number;
  /** The `run_id` of the server the command connection reaches now, once known. */
  private server?: string;
  /** Counts connections, so that an answer about an earlier one is not taken for this one's. */
  private connection = 0;

  constructor(
    private readonly redis: RedisService,
    config: GatehouseConfig,
  ) {
    this.liveTtlMs = config.get('tokens', { infer: true }).cacheTtlSeconds * 1000;
  }

  get enabled(): boolean {
    return this.redis.enabled && this.liveTtlMs > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    const client = this.redis.client;
    const identify = () => {
      const connection = ++this.connection;
      this.server = undefined;
      client.info('server').then(
        (info) => {
          if (connection === this.connection) this.server = /run_id:(\w+)/.exec(info)?.[1];
        },
        () => undefined,
      );
    };
    client.on('ready', identify);
    for (const event of ['close', 'end', 'reconnecting']) {
      client.on(event, () => {
        this.connection++;
        this.server = undefined;
      });
    }
    if (client.status === 'ready') identify();
  }

  private key(jti: string): string | undefined {
    return this.server && this.redis.key('tok', this.server, jti);
  }

  async get(jti: string): Promise<TokenState | undefined> {
    const key = this.key(jti);
    if (!this.enabled || !key) return undefined;
    try {
      const raw = await this.redis.client.get(key);
      return raw ? (JSON.parse(raw) as TokenState) : undefined;
    } catch {
      return undefined;
    }
  }

  fill(state: TokenState, now = Date.now()): void {
    const key = this.key(state.jti);
    if (!this.enabled || !key) return;
    const ttl = Math.min(this.liveTtlMs, state.expiresAt - now);
    if (ttl <= 0) return;
    this.redis.client.set(key, JSON.stringify(state), 'PX', ttl, 'NX').catch(() => undefined);
  }

  /**
   * Writes revoked markers; resolves false when Redis could not take them (RevocationBus reports
   * it, and retries from the outbox).
   */
  async markRevoked(states: TokenState[], now = Date.now()): Promise<boolean> {
    if (!this.enabled) return true;
    if (!this.server) return false;
    const pipeline = this.redis.client.pipeline();
    for (const state of states) {
      const ttl = state.expiresAt - now;
      const key = this.key(state.jti);
      if (ttl > 0 && key) {
        pipeline.set(key, JSON.stringify({ ...state, revoked: true }), 'PX', ttl);
      }
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      return results.every(([error]) => !error);
    } catch {
      return false;
    }
  }
}
