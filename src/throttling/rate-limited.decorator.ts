import { UseGuards, applyDecorators } from '@nestjs/common';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import { AuthThrottlerGuard } from './auth-throttler.guard';

/**
 * Rate limits per client address and per account (see AuthThrottlingModule), with the 429 in the
 * docs. Put it closest to the handler, below any other @UseGuards: guards run in the order they
 * are listed, and a failed attempt must be counted before another guard refuses it.
 */
export const RateLimited = () =>
  applyDecorators(
    UseGuards(AuthThrottlerGuard),
    ApiErrorResponse(
      'Too many attempts; `Retry-After` says when to try again',
      ErrorCode.TooManyRequests,
    ),
  );
