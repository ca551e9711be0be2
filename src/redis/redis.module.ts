import { Global, Module } from '@nestjs/common';
import { GatehouseHealth } from './gatehouse-health';
import { RedisService } from './redis.service';

/** Redis connections when REDIS_URL is set; a disabled RedisService otherwise. */
@Global()
@Module({ providers: [RedisService, GatehouseHealth], exports: [RedisService, GatehouseHealth] })
export class RedisModule {}
