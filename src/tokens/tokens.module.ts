import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config';
import { RevocationBus } from './cache/revocation-bus';
import { SharedTokenStateStore } from './cache/shared-token-state.store';
import { TokenStateCache } from './cache/token-state.cache';
import { Session } from './entities/session.entity';
import { Token } from './entities/token.entity';
import { RevocationCheckService } from './revocation-check.service';
import { SessionActivityService } from './session-activity.service';
import { SessionsService } from './sessions.service';
import { TokenCleanupService } from './token-cleanup.service';
import { TokenIntrospectionService } from './token-introspection.service';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';
import { TokensService } from './tokens.service';

/**
 * The token store: issuing, rotation, revocation, the per-request revocation check with its
 * caches, sessions, and cleanup of expired rows.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Token, Session]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const auth = config.get('auth', { infer: true });
        return {
          // A KeyObject, not a string: see resolveJwtKey.
          secret: auth.key,
          signOptions: { algorithm: auth.algorithm },
          verifyOptions: {
            algorithms: [auth.algorithm],
            issuer: auth.issuer,
            audience: auth.audience,
            clockTolerance: auth.clockToleranceSeconds,
          },
        };
      },
    }),
  ],
  providers: [
    TokensService,
    TokenSigner,
    TokenRevocationService,
    RevocationCheckService,
    TokenStateCache,
    SharedTokenStateStore,
    RevocationBus,
    SessionActivityService,
    SessionsService,
    TokenCleanupService,
    TokenIntrospectionService,
  ],
  exports: [
    TokensService,
    TokenSigner,
    TokenRevocationService,
    RevocationCheckService,
    SessionsService,
    TokenCleanupService,
    TokenStateCache,
    TokenIntrospectionService,
  ],
})
export class TokensModule {}
