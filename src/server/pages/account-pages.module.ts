import { Module } from '@nestjs/common';
import { AccountPagesController } from './account-pages.controller';
import { AccountPages } from './account-pages.service';

/**
 * The pages the account mails link to (verify-email, reset-password, forgot-password), served by
 * the standalone server itself; they reach Gatehouse through its HTTP API only.
 */
@Module({
  controllers: [AccountPagesController],
  providers: [AccountPages],
})
export class AccountPagesModule {}
