import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RedisService } from '../../redis/redis.service';
import { TokenState } from '../token-state';
import { SharedTokenStateStore } from './shared-token-state.store';
import { TokenStateCache } from './token-state.cache';

/** How often the subscription is checked; also the longest a silent Redis outage goes unseen. */
const HEARTBEAT_MS = 1000;

/**
 * Carries revocations to every instance. Locally the cache entry goes at once; with Redis, a
 * revoked marker is written for the shared cache and the jtis are published, and each instance's
 * subscriber drops them from its own cache (typically within a few milliseconds).
 *
 * While the subscription is down (Redis stopped, connection lost, heartbeat unanswered), this
 * instance cannot hear revocations, so its in-process cache is emptied and bypassed: every check
 * goes to the database until the subscription is back.
 */
@Injectable()
export class RevocationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationBus.name);
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    private readonly cache: TokenStateCache,
    private readonly shared: SharedTokenStateStore,
  ) {}

  private get channel(): string {
    return this.redis.key('revocations');
  }

  onModuleInit(): void {
    if (!this.redis.enabled) return;
    // Until subscribed, news from other instances could be missed.
    this.cache.setTrusted(false);
    const subscriber = this.redis.subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    subscriber.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting']) {
      subscriber.on(event, () => this.distrust(`subscription ${event}`));
    }
    if (subscriber.status === 'ready') void this.subscribe();
    this.heartbeat = setInterval(() => void this.checkSubscription(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  /** Makes revocations (already written to the database) effective in every cache. */
  async publish(states: TokenState[]): Promise<void> {
    if (states.length === 0) return;
    const jtis = states.map((s) => s.jti);
    this.cache.invalidate(jtis);
    if (!this.redis.enabled) return;
    const marked = await this.shared.markRevoked(states);
    try {
      await this.redis.client.publish(this.channel, JSON.stringify({ jtis }));
    } catch (error) {
      // The database already refuses these tokens; instances that missed this message either
      // have no working subscription (and bypass their caches) or drop the entry at its TTL.
      this.logger.warn(
        `could not publish ${jtis.length} revocation(s): ${(error as Error).message}`,
      );
    }
    if (!marked)
      this.logger.warn('revoked markers not written to Redis; the database still refuses');
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
      if (!this.cache.isTrusted) {
        this.cache.setTrusted(true);
        this.logger.log('revocation subscription up; in-process cache on');
      }
    } catch (error) {
      this.distrust(`subscribe failed: ${(error as Error).message}`);
    }
  }

  private async checkSubscription(): Promise<void> {
    try {
      await this.redis.subscriber.ping();
      if (!this.cache.isTrusted && this.redis.subscriber.status === 'ready') await this.subscribe();
    } catch (error) {
      this.distrust(`heartbeat failed: ${(error as Error).message}`);
    }
  }

  private distrust(why: string): void {
    if (!this.cache.isTrusted) return;
    this.cache.setTrusted(false);
    this.logger.warn(`revocation subscription down (${why}); checking every token in the database`);
  }
}
