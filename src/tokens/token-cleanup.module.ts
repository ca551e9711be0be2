import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TokenCleanupScheduler } from './token-cleanup.scheduler';
import { TokensModule } from './tokens.module';

/** Schedules the cleanup of expired tokens in the running app (not in the CLI). */
@Module({
  imports: [ScheduleModule.forRoot(), TokensModule],
  providers: [TokenCleanupScheduler],
})
export class TokenCleanupModule {}
