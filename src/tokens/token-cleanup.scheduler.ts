import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { RedisService } from '../redis/redis.service';
import { TokenCleanupService } from './token-cleanup.service';

/**
 * Runs the cleanup every TOKEN_CLEANUP_INTERVAL (0: never) wherever TokensModule is (every
 * application that imports AuthModule). With Redis, one instance per interval takes a lock and runs it; a run never overlaps
 * the previous one on the same instance. A plain timer: a scheduler package would be one more
 * dependency for every host.
 */
@Injectable()
export class TokenCleanupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TokenCleanupScheduler.name);
  private running = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cleanup: TokenCleanupService,
    private readonly redis: RedisService,
    private readonly config: GatehouseConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.get('tokens', { infer: true }).cleanupIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => void this.tick(seconds * 1000), seconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async tick(intervalMs: number): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (this.redis.enabled) {
        const lock = this.redis.key('cleanup-lock');
        const taken = await this.redis.client
          .set(lock, String(process.pid), 'PX', Math.max(intervalMs - 1000, 1000), 'NX')
          .catch(() => 'OK'); // Redis down: run anyway, deletes are idempotent
        if (taken !== 'OK') return;
      }
      await this.cleanup.purgeExpired();
    } catch (error) {
      this.logger.error(`cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
