import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/** Redis connections when REDIS_URL is set; a disabled RedisService otherwise. */
@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
