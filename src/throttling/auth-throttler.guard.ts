import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { ClientRequest, clientInfoOf } from '../core/decorators/client-info.decorator';

/**
 * The throttler guard, answering in the common error shape with a plain `Retry-After` (the stock
 * guard names it after the throttler, `Retry-After-ip`, which clients do not read).
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly audit: AuditLog,
  ) {
    super(options, storage, reflector);
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // The budget's name (`ip` or `account`), never its tracker: that may be the email.
    this.audit.warn('rate_limited', {
      ...clientInfoOf(context.switchToHttp().getRequest<ClientRequest>()),
      limit: detail.key.split(':')[0],
    });
    throw new DomainError(
      ErrorCode.TooManyRequests,
      'Too many requests; try again later',
      undefined,
      `rate limit: ${detail.key}`,
      Math.max(1, detail.timeToBlockExpire),
    );
  }
}
