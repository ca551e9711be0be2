import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../errors/domain-error';

const DEFAULT_TYPES = ['application/json'];
/**
 * Where `@ApiConsumes()` keeps its list: @nestjs/swagger's `DECORATORS.API_CONSUMES`, spelled
 * out because early 11.x releases do not export `DECORATORS` (the packed-host test caught it).
 */
const API_CONSUMES = 'swagger/apiConsumes';

/**
 * The deepest a parsed body may nest objects and arrays. Far beyond any DTO (Gatehouse's are
 * flat), and far below what recursion can take: class-transformer and class-validator recurse
 * into every nested object, and a 64 KiB body can nest 30,000 levels deep.
 */
export const MAX_BODY_DEPTH = 32;

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * Refuses a request body in a media type the route does not take (415). A route takes JSON, or
 * what its `@ApiConsumes()` lists: the rule and the API docs are one and the same. Refuses a body
 * nested deeper than {@link MAX_BODY_DEPTH} (400), before any pipe walks it.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const { headers, body } = context.switchToHttp().getRequest<RequestLike>();
    if (nestedDeeperThan(body, MAX_BODY_DEPTH)) {
      throw new DomainError(
        ErrorCode.BodyTooDeep,
        `The request body nests objects or arrays more than ${MAX_BODY_DEPTH} levels deep`,
      );
    }
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

/** Walks the parsed body without recursion, stopping as soon as it is too deep. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}
