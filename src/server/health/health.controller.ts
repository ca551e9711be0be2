import { Controller, Get, UseFilters, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { GatehouseHealth, Public } from '../../index';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { NoStoreInterceptor } from './no-store.interceptor';
import { RedisHealthIndicator } from './redis-health.indicator';

// The terminus decorator's own Cache-Control reaches 200s only; NoStoreInterceptor covers 503s.
const PROBE = { noCache: false, swaggerDocumentation: true };

/**
 * Probes for orchestrators and load balancers. Public (a probe has no token) and never rate
 * limited: no @RateLimited() here, and no throttler guard is global.
 */
@ApiTags('operations')
@Public()
@UseInterceptors(NoStoreInterceptor)
@UseFilters(HealthCheckFailedFilter)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redisHealth: RedisHealthIndicator,
    private readonly gatehouse: GatehouseHealth,
  ) {}

  /**
   * Liveness: answers while the process serves HTTP. Checks no dependency, so an outage of the
   * database or Redis never gets healthy instances restarted.
   */
  @Get('live')
  @HealthCheck(PROBE)
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Readiness: the database answers a ping and, when REDIS_URL is set, so does Redis. 503 takes
   * the instance out of rotation until both are back.
   */
  @Get('ready')
  @HealthCheck(PROBE)
  ready(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database')];
    if (this.gatehouse.usesRedis) checks.push(() => this.redisHealth.pingCheck('redis'));
    return this.health.check(checks);
  }
}
