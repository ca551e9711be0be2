import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionsModule } from '../database/transactions.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { AccountMails } from './account-mails.service';
import { EmailVerificationService } from './email-verification.service';
import { OneTimeToken } from '../tokens/entities/one-time-token.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { UserMfa } from './entities/user-mfa.entity';
import { TwoFactorService } from './mfa/two-factor.service';
import { OneTimeTokensService } from './one-time-tokens.service';

/**
 * The account's lifecycle beyond the password: one-time tokens, the mails that carry them,
 * email verification and the TOTP second factor. AuthModule builds login, reset and the
 * two-factor step on these, and serves their routes.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OneTimeToken, UserMfa, RecoveryCode]),
    MailModule,
    UsersModule,
    TransactionsModule,
  ],
  providers: [OneTimeTokensService, AccountMails, EmailVerificationService, TwoFactorService],
  exports: [
    OneTimeTokensService,
    AccountMails,
    EmailVerificationService,
    TwoFactorService,
    MailModule,
  ],
})
export class AccountModule {}
