import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { callerOf } from '../call-context';
import { handlerMetadata } from '../decorators/handler-metadata';
import { refuse } from './jwt-auth.guard';
import { ROLES_KEY } from '../decorators/roles.decorator';

/**
 * Enforces `@Roles()`: the caller must hold one of the listed roles. The roles are those in the
 * access token, so a change of roles takes effect at the next refresh (at most one access TTL).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = handlerMetadata<string[]>(this.reflector, ROLES_KEY, context);
    if (!required || required.length === 0) return true;
    const user = callerOf(context);
    if (!user) {
      refuse(
        context,
        new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required'),
      );
    }
    if (!required.some((role) => user.roles.includes(role))) {
      refuse(
        context,
        new DomainError(
          ErrorCode.Forbidden,
          `This action requires the role ${required.join(' or ')}`,
        ),
      );
    }
    return true;
  }
}
