import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from '../../common/errors/error-body';
import { AuthThrottlerGuard } from './auth-throttler.guard';

/**
 * Rate limits per client address and per account (see AuthThrottlingModule), with the 429 in the
 * docs. Put it closest to the handler, below any other @UseGuards: guards run in the order they
 * are listed, and a failed attempt must be counted before another guard refuses it.
 */
export const RateLimited = () =>
  applyDecorators(
    UseGuards(AuthThrottlerGuard),
    ApiResponse({
      status: 429,
      description: 'Too many attempts; `Retry-After` says when to try again',
      type: ErrorBody,
    }),
  );
