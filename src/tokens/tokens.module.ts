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
import { AccountSessionsService } from './account-sessions.service';
import { SessionIssuer } from './session-issuer.service';
import { LiveSessions } from './live-sessions.service';
import { TokenCleanupScheduler } from './token-cleanup.scheduler';

/**
 * The token store: issuing, rotation, revocation, the per-request revocation check with its
 * caches, sessions (a person's own list of them too), and cleanup of expired rows on its timer.
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
    AccountSessionsService,
    SessionIssuer,
    LiveSessions,
    TokenCleanupScheduler,
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
    AccountSessionsService,
    SessionIssuer,
    LiveSessions,
    KeysModule,
    TransactionsModule,
  ],
})
export class TokensModule {}
