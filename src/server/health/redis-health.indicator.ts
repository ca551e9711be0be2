import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { GatehouseHealth } from '../../index';

/** Pings the Redis command connection; terminus has no Redis indicator of its own. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly gatehouse: GatehouseHealth,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /**
   * Gatehouse's Redis client neither queues commands while disconnected nor waits past its
   * 500 ms command timeout, so a Redis that is down answers "down" at once.
   */
  async pingCheck(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.gatehouse.pingRedis();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
