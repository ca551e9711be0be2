import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GracefulShutdownService } from './graceful-shutdown.service';
import { ContentTypeGuard } from '../index';

/** HTTP concerns shared by every route. Imported first, so its guard runs before auth. */
@Module({
  providers: [{ provide: APP_GUARD, useClass: ContentTypeGuard }, GracefulShutdownService],
})
export class HttpModule {}
