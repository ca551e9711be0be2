import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../server-config';
import { AppLogger, createRootLogger } from './app-logger';
import { requestLogger } from './request-logger';

/**
 * Logging for the whole app: AppLogger (main.ts makes it Nest's logger) and one request line per
 * request, with its id, status and duration, on Express and Fastify alike.
 */
@Global()
@Module({
  providers: [
    {
      provide: AppLogger,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) =>
        new AppLogger(createRootLogger(config.get('app', { infer: true }).logLevel)),
    },
  ],
  exports: [AppLogger],
})
export class LoggingModule implements NestModule {
  constructor(private readonly logger: AppLogger) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(requestLogger(this.logger.pino))
      // Express 5 / path-to-regexp 8 syntax for "every route".
      .forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
