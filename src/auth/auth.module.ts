import { CanActivate, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { GatehouseAuthOptions } from '../config/gatehouse-config';
import { AuditModule } from '../common/audit/audit.module';
import { DomainErrorFilter } from '../common/filters/domain-error.filter';
import { RedisModule } from '../redis/redis.module';
import { AUTH_MODULE_OPTIONS, ConfigurableAuthModule } from './auth.module-definition';
import { PassportModule } from '@nestjs/passport';
import { TokensModule } from '../tokens/tokens.module';
import { RouteShadowCheck } from './route-shadow-check';
import { SetupCheck } from './setup-check.service';
import { UsersModule } from '../users/users.module';
import { AdminModule } from '../admin/admin.module';
import { AccountErasure } from './account-erasure.service';
import { AccountModule } from '../account/account.module';
import { CookieOriginGuard } from './cookie-mode/cookie-origin.guard';
import { LogoutAuthGuard } from './cookie-mode/logout-auth.guard';
import { RefreshCookie } from './cookie-mode/refresh-cookie';
import { IntrospectionGuard } from './guards/introspection.guard';
import { AuthService } from './auth.service';
import { RegistrationService } from './registration.service';
import { MessageHandlerGuards } from './message-handler-guards';
import { GraphqlWsConnections } from './graphql-ws-connections';
import { AuthThrottlingModule } from './throttling/auth-throttling.module';
import { JwtAuthGuard } from '../core/guards/jwt-auth.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RolesGuard } from '../core/guards/roles.guard';
import { OAuth2TokenService } from './oauth2/oauth2-token.service';
import { JwtStrategy } from './strategies/jwt.strategy';
import { LocalStrategy } from './strategies/local.strategy';

/** Stands in for a global guard the application chose not to have. */
const admitAll: CanActivate = { canActivate: () => true };
const globalGuard = <T extends CanActivate>(guard: new (...args: never[]) => T) => ({
  provide: APP_GUARD,
  inject: [AUTH_MODULE_OPTIONS, guard],
  useFactory: (options: GatehouseAuthOptions, instance: T): CanActivate =>
    options.globalGuards === false ? admitAll : instance,
});

/**
 * Gatehouse, as one module an application imports once:
 *
 *     AuthModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ jwt: { secret: config.get('JWT_SECRET') } }) })
 *
 * It brings login, tokens, sessions, users, email verification, password reset, two-factor,
 * passkeys, cookie mode and the guards. By default every route is protected
 * by JwtAuthGuard unless marked `@Public()`, and RolesGuard then enforces `@Roles()`, in that
 * order; with `globalGuards: false` the application puts `@UseGuards(JwtAuthGuard, RolesGuard)`
 * where it wants them. The database is the application's: it registers Gatehouse's entities and
 * migrations (see `src/index.ts`).
 */
@Module({
  imports: [
    PassportModule,
    AuditModule,
    RedisModule,
    UsersModule,
    TokensModule,
    AuthThrottlingModule,
    AccountModule,
    AdminModule,
  ],
  providers: [
    AuthService,
    RegistrationService,
    RefreshCookie,
    CookieOriginGuard,
    LogoutAuthGuard,
    AccountErasure,
    OAuth2TokenService,
    IntrospectionGuard,
    SetupCheck,
    RouteShadowCheck,
    LocalStrategy,
    JwtStrategy,
    JwtAuthGuard,
    LocalAuthGuard,
    RolesGuard,
    MessageHandlerGuards,
    GraphqlWsConnections,
    globalGuard(JwtAuthGuard),
    globalGuard(RolesGuard),
    { provide: APP_FILTER, useClass: DomainErrorFilter },
  ],
  exports: [
    AuthService,
    GraphqlWsConnections,
    AccountErasure,
    JwtAuthGuard,
    RolesGuard,
    TokensModule,
    UsersModule,
    AdminModule,
  ],
})
export class AuthModule extends ConfigurableAuthModule {}
