import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AccountSessionsService } from './account-sessions.service';
import { AuthController } from './auth.controller';
import { IntrospectionGuard } from './guards/introspection.guard';
import { OAuth2Controller } from './oauth2/oauth2.controller';
import { SessionsController } from './sessions.controller';
import { AuthService } from './auth.service';
import { AuthThrottlingModule } from './throttling/auth-throttling.module';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { OAuth2TokenService } from './oauth2/oauth2-token.service';
import { PasswordHasher } from './password-hasher.service';
import { VerifiedTokenCache } from './verified-token.cache';
import { JwtStrategy } from './strategies/jwt.strategy';
import { LocalStrategy } from './strategies/local.strategy';

/**
 * Login, tokens and guards. Every route is protected by JwtAuthGuard unless marked `@Public()`;
 * RolesGuard then enforces `@Roles()`. Guards run in this order.
 */
@Module({
  imports: [PassportModule, UsersModule, TokensModule, AuthThrottlingModule],
  controllers: [AuthController, SessionsController, OAuth2Controller],
  providers: [
    AuthService,
    AccountSessionsService,
    OAuth2TokenService,
    IntrospectionGuard,
    PasswordHasher,
    VerifiedTokenCache,
    LocalStrategy,
    JwtStrategy,
    JwtAuthGuard,
    LocalAuthGuard,
    RolesGuard,
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useExisting: RolesGuard },
  ],
  exports: [
    AuthService,
    PasswordHasher,
    JwtAuthGuard,
    RolesGuard,
    VerifiedTokenCache,
    TokensModule,
  ],
})
export class AuthModule {}
