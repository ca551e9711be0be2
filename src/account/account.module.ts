import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionsModule } from '../database/transactions.module';
import { MailModule } from '../mail/mail.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { AccountMails } from './account-mails.service';
import { EmailVerificationService } from './email-verification.service';
import { OneTimeToken } from '../tokens/entities/one-time-token.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { UserMfa } from './entities/user-mfa.entity';
import { MfaChallengeService } from './mfa/mfa-challenge.service';
import { TwoFactorAccountService } from './mfa/two-factor-account.service';
import { TwoFactorService } from './mfa/two-factor.service';
import { OneTimeTokensService } from './one-time-tokens.service';
import { PasswordChangeService } from './password-change.service';
import { PasswordResetService } from './password-reset.service';

const providers = [
  OneTimeTokensService,
  AccountMails,
  EmailVerificationService,
  TwoFactorService,
  MfaChallengeService,
  TwoFactorAccountService,
  PasswordResetService,
  PasswordChangeService,
];

/**
 * The account's lifecycle beyond signing in: one-time tokens, the mails that carry them, email
 * verification, password change and reset, and the TOTP second factor with its recovery codes
 * and the challenge of a two-factor login (where a passkey may stand in for the code). AuthModule
 * builds login on these, and mounts their routes.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OneTimeToken, UserMfa, RecoveryCode]),
    MailModule,
    UsersModule,
    TokensModule,
    TransactionsModule,
    PasskeysModule,
  ],
  providers,
  exports: [...providers, MailModule, PasskeysModule],
})
export class AccountModule {}
