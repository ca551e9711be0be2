import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';

/**
 * The throttler guard, answering in the common error shape with a plain `Retry-After` (the stock
 * guard names it after the throttler, `Retry-After-ip`, which clients do not read).
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new DomainError(
      ErrorCode.TooManyRequests,
      'Too many requests; try again later',
      undefined,
      `rate limit: ${detail.key}`,
      Math.max(1, detail.timeToBlockExpire),
    );
  }
}
