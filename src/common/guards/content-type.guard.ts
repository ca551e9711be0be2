import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../errors/domain-error';

const DEFAULT_TYPES = ['application/json'];
/**
 * Where `@ApiConsumes()` keeps its list: @nestjs/swagger's `DECORATORS.API_CONSUMES`, spelled
 * out because early 11.x releases do not export `DECORATORS` (the packed-host test caught it).
 */
const API_CONSUMES = 'swagger/apiConsumes';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Refuses a request body in a media type the route does not take (415). A route takes JSON, or
 * what its `@ApiConsumes()` lists: the rule and the API docs are one and the same.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<RequestLike>();
    const length = Number(headers['content-length'] ?? 0);
    if (length === 0 && headers['transfer-encoding'] === undefined) return true;
    const accepted =
      this.reflector.getAllAndOverride<string[] | undefined>(API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? DEFAULT_TYPES;
    const type = String(headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (accepted.includes(type)) return true;
    throw new DomainError(
      ErrorCode.UnsupportedMediaType,
      `Content-Type must be ${accepted.join(' or ')}`,
    );
  }
}
