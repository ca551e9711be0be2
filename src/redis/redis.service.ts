import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';

/**
 * The Redis connections, when REDIS_URL is set: one for commands, one for pub/sub (a subscribed
 * connection can run nothing else). Commands fail fast instead of queueing while Redis is down,
 * so every caller can fall back to the database at once.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly enabled: boolean;
  readonly prefix: string;
  private commandClient?: Redis;
  private subscriberClient?: Redis;

  constructor(config: GatehouseConfig) {
    const { redisUrl, redisKeyPrefix } = config.get('tokens', { infer: true });
    this.enabled = Boolean(redisUrl);
    this.prefix = redisKeyPrefix;
    if (!redisUrl) return;
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
      // Keep trying, but not faster than twice a second.
      retryStrategy: (times) => Math.min(times * 100, 500),
      lazyConnect: false,
    };
    const Client = loadIoredis();
    this.commandClient = new Client(redisUrl, { ...options, connectionName: 'gatehouse' });
    this.subscriberClient = new Client(redisUrl, { ...options, connectionName: 'gatehouse-sub' });
    for (const client of [this.commandClient, this.subscriberClient]) {
      // Without a listener ioredis logs every failed reconnect; one line per outage is enough.
      let down = false;
      client.on('error', (error: Error) => {
        if (!down) this.logger.warn(`Redis unreachable (${error.message}); using the database`);
        down = true;
      });
      client.on('ready', () => {
        if (down) this.logger.log('Redis reachable again');
        down = false;
      });
    }
  }

  /**
   * Waits (up to 2 s) for both connections, so an instance whose Redis is up starts with caching
   * on. A Redis that is down does not stop the boot: the database answers until it is back.
   */
  async onModuleInit(): Promise<void> {
    const clients = [this.commandClient, this.subscriberClient].filter((c) => c !== undefined);
    const ready = (client: Redis) =>
      client.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((ok) => client.once('ready', () => ok()));
    const timeout = new Promise<void>((ok) => setTimeout(ok, 2000).unref());
    await Promise.race([Promise.all(clients.map(ready)), timeout]);
  }

  /** The command connection; only call when {@link enabled}. */
  get client(): Redis {
    if (!this.commandClient) throw new Error('Redis is not configured');
    return this.commandClient;
  }

  get subscriber(): Redis {
    if (!this.subscriberClient) throw new Error('Redis is not configured');
    return this.subscriberClient;
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [this.commandClient, this.subscriberClient].filter((c) => c !== undefined);
    await Promise.all(
      clients.map((c) =>
        c.quit().then(
          () => undefined,
          () => c.disconnect(),
        ),
      ),
    );
  }
}

/**
 * ioredis is an optional peer: loaded only when REDIS_URL (`redisUrl`) is set, so hosts without
 * Redis install nothing for it, and a host that sets it without the package is told at boot.
 */
function loadIoredis(): typeof Redis {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    return (require('ioredis') as { default: typeof Redis }).default;
  } catch {
    throw new Error(
      'AuthModule: redisUrl (REDIS_URL) is set but ioredis is not installed: npm install ioredis',
    );
  }
}
