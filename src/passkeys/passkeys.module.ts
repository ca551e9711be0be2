import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { PasskeyChallenge } from './entities/passkey-challenge.entity';
import { Passkey } from './entities/passkey.entity';
import { PasskeyAccount } from './passkey-account.service';
import { PasskeyAuthentication } from './passkey-authentication.service';
import { PasskeyChallenges } from './passkey-challenges.service';
import { PasskeyMails } from './passkey-mails.service';
import { PasskeyRegistration } from './passkey-registration.service';
import { PasskeysService } from './passkeys.service';
import { PasskeysOnGuard } from './passkeys-on.guard';

const providers = [
  PasskeysService,
  PasskeyChallenges,
  PasskeyRegistration,
  PasskeyAuthentication,
  PasskeyMails,
  PasskeyAccount,
  PasskeysOnGuard,
];

/**
 * Passkeys (WebAuthn): registering them, checking their assertions, managing them. AuthModule
 * builds the passkey sign-in and the second factor on these, and mounts their routes.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Passkey, PasskeyChallenge]),
    MailModule,
    UsersModule,
    TokensModule,
  ],
  providers,
  exports: providers,
})
export class PasskeysModule {}
