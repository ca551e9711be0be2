import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { LOCAL_STRATEGY } from '../strategies/local.strategy';
import { asError } from '../../common/errors/as-error';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { GatehouseValidationPipe } from '../../common/pipes/gatehouse-validation.pipe';
import { LoginDto } from '../dto/credentials.dto';

const validation = new GatehouseValidationPipe();

/**
 * Runs the local (email + password) strategy. Guards run before pipes, so the body is validated
 * here first: a malformed login is a 400, never a trip through passport.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ body: unknown }>();
    // passport-local reads the body, and falls back to the query string for a field the body
    // lacks; both fields are required non-empty here, so only the validated body is ever read.
    request.body = await validation.transform(request.body, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    // The strategy throws a DomainError for bad credentials; the body was validated before.
    if (err) throw asError(err);
    if (!user) throw new DomainError(ErrorCode.InvalidCredentials, 'Invalid email or password');
    return user;
  }
}
