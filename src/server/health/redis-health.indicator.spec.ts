import { Test } from '@nestjs/testing';
import { HealthIndicatorService } from '@nestjs/terminus';
import { GatehouseHealth } from '../../index';
import { RedisHealthIndicator } from './redis-health.indicator';

describe('RedisHealthIndicator', () => {
  async function indicatorWhosePing(ping: () => Promise<string>): Promise<RedisHealthIndicator> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        RedisHealthIndicator,
        HealthIndicatorService,
        { provide: GatehouseHealth, useValue: { pingRedis: ping } },
      ],
    }).compile();
    return moduleRef.get(RedisHealthIndicator);
  }

  it('reports Redis up when it answers the ping', async () => {
    const indicator = await indicatorWhosePing(() => Promise.resolve('PONG'));
    await expect(indicator.pingCheck('redis')).resolves.toEqual({ redis: { status: 'up' } });
  });

  it("reports Redis down with the client's reason when the ping fails", async () => {
    const indicator = await indicatorWhosePing(() =>
      Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    );
    await expect(indicator.pingCheck('redis')).resolves.toEqual({
      redis: {
        status: 'down',
        message: "Stream isn't writeable and enableOfflineQueue options is false",
      },
    });
  });
});
