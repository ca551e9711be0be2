import { ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { ContentTypeGuard } from './content-type.guard';

/** Far above any body Gatehouse's routes take (emails, passwords, tokens of at most 4 KiB). */
export const GATEHOUSE_BODY_LIMIT = 64 * 1024;

/**
 * ContentTypeGuard (415), plus a declared body larger than Gatehouse's routes take (413): what
 * the standalone server's parsers enforce, kept on Gatehouse's own routes in any host. The host's
 * parser still bounds a body sent without a length.
 */
@Injectable()
export class RequestShapeGuard extends ContentTypeGuard {
  override canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    if (Number(headers['content-length'] ?? 0) > GATEHOUSE_BODY_LIMIT) {
      throw new DomainError(ErrorCode.PayloadTooLarge, 'The request body is too large');
    }
    return super.canActivate(context);
  }
}
