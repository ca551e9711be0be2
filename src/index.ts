/**
 * Gatehouse's public surface, for applications that drop AuthModule into their own Nest app.
 * Anything not exported here is internal and may change.
 */
export { AuthModule } from './auth/auth.module';
export type { GatehouseAuthOptions } from './config/gatehouse-config';
export type { AuthModuleExtras } from './auth/auth.module-definition';
export { ROUTE_GROUPS } from './auth/routes';
export type { GatehouseRouteGroup, GatehouseRoutes } from './auth/routes';
export { JwtAuthGuard } from './core/guards/jwt-auth.guard';
export { GraphqlWsConnections } from './auth/graphql-ws-connections';
export type { GraphqlWsHookOptions, GraphqlWsHooks } from './auth/graphql-ws-connections';
export { RolesGuard } from './core/guards/roles.guard';
export { Public } from './core/decorators/public.decorator';
export { Roles } from './core/decorators/roles.decorator';
export { CurrentUser } from './core/decorators/current-user.decorator';
export type { AuthUser } from './core/auth-user';
export { JwtStrategy } from './auth/strategies/jwt.strategy';
export { LocalStrategy } from './auth/strategies/local.strategy';
export { UsersService } from './users/users.service';
export { USER_STORE } from './users/user-store';
export type { GatehouseUser, NewGatehouseUser, UserStore } from './users/user-store';
export { TypeOrmUserStore } from './users/typeorm-user-store';
export type { TypeOrmUsersOptions } from './users/typeorm-user-store';
export type { GatehouseUsersOption } from './users/user-store.module';
export { ROLE_ADMIN, ROLE_USER, User as GatehouseUserEntity } from './users/entities/user.entity';
export { UserResponse } from './users/dto/user.response';
export { PasswordHasher } from './users/password-hasher.service';
export { AccountErasure } from './auth/account-erasure.service';
export type { ForgottenAccount } from './auth/account-erasure.service';
export { DomainError, ErrorCode } from './common/errors/domain-error';
export { HttpErrorFilter } from './common/filters/http-error.filter';
export { ErrorBody } from './common/errors/error-body';
export { gatehouseSchema } from './schema/gatehouse-schema';
export type { GatehouseSchema, GatehouseSchemaOptions } from './schema/gatehouse-schema';
export type { GatehouseTables } from './schema/gatehouse-tables';
export { boundMysqlWaits, boundPostgresWaits } from './database/bounded-waits';
export { applyGatehouseSwagger } from './auth/openapi/gatehouse-swagger';
export { GatehouseConfig, validateGatehouseSettings } from './config/gatehouse-config';
export type { GatehouseSettings } from './config/gatehouse-config';
export { ConfigValidationError } from './config/env.validation';
export { parseDuration } from './config/duration';
export type { DurationRule } from './config/duration';
export { GatehouseValidationPipe } from './common/pipes/gatehouse-validation.pipe';
export { ContentTypeGuard } from './common/guards/content-type.guard';
export { REQUEST_ID_HEADER, acceptRequestId, ensureRequestId } from './common/http/request-id';
export type { RequestWithId } from './common/http/request-id';
export { GatehouseHealth } from './redis/gatehouse-health';
export { TokenCleanupService } from './tokens/token-cleanup.service';
export type { CleanupResult } from './tokens/token-cleanup.service';
export { BREACHED_PASSWORD_CHECK } from './users/breached-passwords';
export type {
  BreachedPasswordCheck,
  GatehouseBreachedPasswordsOption,
} from './users/breached-passwords';
export { canonicalEmail } from './users/canonical-email';
