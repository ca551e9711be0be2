import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionsModule } from '../database/transactions.module';
import { KeysModule } from './keys.module';
import { RevocationOutbox } from './cache/revocation-outbox';
import { RevocationOutboxEntry } from './entities/revocation-outbox.entity';
import { RevocationBus } from './cache/revocation-bus';
import { SharedTokenStateStore } from './cache/shared-token-state.store';
import { TokenStateCache } from './cache/token-state.cache';
import { VerifiedTokenCache } from './cache/verified-token.cache';
import { Session } from './entities/session.entity';
import { Token } from './entities/token.entity';
import { OneTimeToken } from './entities/one-time-token.entity';
import { RevocationCheckService } from './revocation-check.service';
import { SessionActivityService } from './session-activity.service';
import { SessionsService } from './sessions.service';
import { TokenCleanupService } from './token-cleanup.service';
import { TokenIntrospectionService } from './token-introspection.service';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';
import { TokensService } from './tokens.service';
import { VerifiedAccessTokens } from '../core/access-token';
import { UsersModule } from '../users/users.module';
import { VerifiedAccessTokensService } from './verified-access-tokens.service';

/**
 * The token store: issuing, rotation, revocation, the per-request revocation check with its
 * caches, sessions, and cleanup of expired rows.
 */
@Module({
  imports: [
    // One-time tokens are the account module's, but expire and are purged like the rest.
    TypeOrmModule.forFeature([Token, Session, RevocationOutboxEntry, OneTimeToken]),
    KeysModule,
    TransactionsModule,
    UsersModule,
  ],
  providers: [
    VerifiedAccessTokensService,
    { provide: VerifiedAccessTokens, useExisting: VerifiedAccessTokensService },
    TokensService,
    TokenSigner,
    TokenRevocationService,
    RevocationCheckService,
    TokenStateCache,
    SharedTokenStateStore,
    RevocationBus,
    RevocationOutbox,
    SessionActivityService,
    SessionsService,
    TokenCleanupService,
    TokenIntrospectionService,
    VerifiedTokenCache,
  ],
  exports: [
    VerifiedAccessTokens,
    VerifiedAccessTokensService,
    TokensService,
    TokenSigner,
    TokenRevocationService,
    RevocationCheckService,
    SessionsService,
    TokenCleanupService,
    TokenStateCache,
    TokenIntrospectionService,
    VerifiedTokenCache,
    KeysModule,
    TransactionsModule,
  ],
})
export class TokensModule {}
