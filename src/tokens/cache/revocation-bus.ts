import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { RedisService } from '../../redis/redis.service';
import { TokenState } from '../token-state';
import { RevocationOutbox } from './revocation-outbox';
import { SharedTokenStateStore } from './shared-token-state.store';
import { TokenStateCache } from './token-state.cache';

/**
 * Carries revocations to every instance, and decides when cached token states may be trusted.
 *
 * Without Redis, a revocation drops this instance's cache entries and that is all (other
 * instances, if any, keep theirs up to REVOCATION_CACHE_TTL).
 *
 * With Redis, the database stays the truth and the caches only ever say what it said:
 * 1. A revocation commits together with a row per revoked access token in `revocation_outbox`.
 *    Then this instance drops the entries, writes revoked markers to Redis (over any cached
 *    "live"), publishes the `jti`s (every subscriber drops them), and deletes the rows. If any
 *    of that fails, the rows stay, and this instance stops trusting its caches.
 * 2. Every REVOCATION_SYNC_INTERVAL each instance syncs: it reads the outbox, drops those
 *    entries, delivers the rows itself, then PINGs its subscription (Redis answers in order, so
 *    every message published before has arrived once PONG does). Only a sync that did all of this,
 *    while subscribed throughout, lets the caches (this instance's and Redis's) be trusted, and
 *    only for 2 × REVOCATION_SYNC_INTERVAL from when it began.
 * 3. A lost subscription empties the in-process cache at once: messages may have been missed.
 *
 * Hence the bound, whatever fails (Redis for one instance or all, a crash between commit and
 * publish, a stalled connection): no instance accepts a revoked token more than
 * 2 × REVOCATION_SYNC_INTERVAL after the revocation committed. When nothing fails, pub/sub makes
 * it milliseconds.
 */
@Injectable()
export class RevocationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationBus.name);
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private subscribed = false;
  private syncing?: Promise<void>;
  /** The sync to run once the one under way ends. */
  private queued?: Promise<void>;
  /** What the last sync concluded, so that only changes are logged. */
  private inSync = false;

  constructor(
    private readonly redis: RedisService,
    private readonly cache: TokenStateCache,
    private readonly shared: SharedTokenStateStore,
    private readonly outbox: RevocationOutbox,
    config: GatehouseConfig,
  ) {
    this.intervalMs = config.get('tokens', { infer: true }).revocationSyncIntervalMs;
  }

  private get channel(): string {
    return this.redis.key('revocations');
  }

  onModuleInit(): void {
    if (!this.redis.enabled) return;
    // Nothing cached is trusted before the first sync.
    this.cache.distrust();
    const subscriber = this.redis.subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    subscriber.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting']) {
      subscriber.on(event, () => this.unsubscribed(event));
    }
    if (subscriber.status === 'ready') void this.subscribe();
    this.timer = setInterval(() => void this.sync(), this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * After a revocation committed (with its outbox rows, when Redis is used): makes it effective
   * in this instance's cache at once, and in every other one through Redis.
   */
  async publish(states: TokenState[]): Promise<void> {
    this.forget(states);
    if (states.length === 0 || !this.redis.enabled) return;
    if (!(await this.deliver(states))) {
      // Redis may still hold these tokens as live: read nothing cached until a sync delivers them.
      this.cache.suspend();
      this.report(false, 'a revocation could not be written to Redis; the sync retries it');
    }
  }

  /** Drops these tokens from this instance's cache only: the next check reads the database. */
  forget(states: TokenState[]): void {
    if (states.length > 0) this.cache.invalidate(states.map((s) => s.jti));
  }

  /**
   * A sync (see the class comment) that begins after this call: one already under way may have
   * read the outbox before the caller's change, so the caller gets the next one, which every
   * caller meanwhile shares. Runs on its own every REVOCATION_SYNC_INTERVAL.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.queued ??= this.syncing.then(() => {
        this.queued = undefined;
        return this.sync();
      });
      return this.queued;
    }
    this.syncing = this.runSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    const startedAt = TokenStateCache.clock();
    const epoch = this.cache.epoch;
    try {
      if (!this.subscribed) return this.report(false, 'not subscribed to revocations');
      let delivered = true;
      for await (const batch of this.outbox.pending()) {
        this.cache.invalidate(batch.map((s) => s.jti));
        if (!(await this.deliver(batch))) delivered = false;
      }
      if (!delivered) {
        this.cache.suspend();
        return this.report(false, 'revocations could not be written to Redis');
      }
      // After the outbox was read: a revocation whose rows were gone by then was published
      // before, and Redis answers in order, so its message has arrived once this answer does.
      await this.redis.subscriber.ping();
      // Twice the interval: one sync may run late or slow without caching flickering off.
      if (this.cache.trustUntil(startedAt + 2 * this.intervalMs, epoch)) this.report(true);
    } catch (error) {
      // Trust is not renewed, and lapses by itself; what is cached stays valid for later.
      this.report(false, `revocation sync failed: ${(error as Error).message}`);
    }
  }

  /** Revoked markers, then the publish, then the outbox rows go; false if Redis refused. */
  private async deliver(states: TokenState[]): Promise<boolean> {
    const jtis = states.map((s) => s.jti);
    if (!(await this.shared.markRevoked(states))) return false;
    // Again: a request may have refilled an entry from Redis's "live" while the markers went.
    this.cache.invalidate(jtis);
    try {
      await this.redis.client.publish(this.channel, JSON.stringify({ jtis }));
    } catch {
      return false;
    }
    // A row left behind is delivered again by a later sync: markers and messages are idempotent.
    await this.outbox.remove(jtis).catch((error: Error) => {
      this.logger.warn(`delivered revocations stay in the outbox for now: ${error.message}`);
    });
    return true;
  }

  private receive(message: string): void {
    try {
      const { jtis } = JSON.parse(message) as { jtis?: unknown };
      if (Array.isArray(jtis)) this.cache.invalidate(jtis.filter((j) => typeof j === 'string'));
    } catch {
      this.logger.warn('ignored a malformed revocation message');
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.redis.subscriber.subscribe(this.channel);
      this.subscribed = true;
      // Trusted again only once a sync that began subscribed has caught up with what happened
      // meanwhile; sync() never hands back one that began before.
      await this.sync();
    } catch (error) {
      this.unsubscribed(`subscribe failed: ${(error as Error).message}`);
    }
  }

  private unsubscribed(why: string): void {
    this.subscribed = false;
    this.cache.distrust();
    this.report(false, `revocation subscription down (${why})`);
  }

  private report(inSync: boolean, why?: string): void {
    if (inSync === this.inSync) return;
    this.inSync = inSync;
    if (inSync) this.logger.log('revocations in sync; caches on');
    else this.logger.warn(`${why}; checking every token in the database`);
  }
}
