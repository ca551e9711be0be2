import { Module } from '@nestjs/common';
import { BackgroundTasks } from '../common/background-tasks.service';
import { Mailer } from './mailer.service';

/**
 * The Mailer, and the background tasks that decide what to mail after a request has been
 * answered; reads `mail` from GatehouseConfig, which GatehouseConfigModule provides globally.
 */
@Module({
  providers: [Mailer, BackgroundTasks],
  exports: [Mailer, BackgroundTasks],
})
export class MailModule {}
