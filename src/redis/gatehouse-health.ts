import { Injectable } from '@nestjs/common';
import { RedisService } from './redis.service';

/**
 * What a host's readiness probe asks of Gatehouse: whether it depends on Redis (`redisUrl`), and
 * whether that Redis answers now. The database is the host's own connection, which its probe
 * checks already.
 */
@Injectable()
export class GatehouseHealth {
  constructor(private readonly redis: RedisService) {}

  get usesRedis(): boolean {
    return this.redis.enabled;
  }

  /**
   * Resolves when Redis answers a ping. Rejects with the client's reason otherwise, at once when
   * it is disconnected (no offline queue) and within the 500 ms command timeout when it stalls.
   */
  async pingRedis(): Promise<void> {
    await this.redis.client.ping();
  }
}
