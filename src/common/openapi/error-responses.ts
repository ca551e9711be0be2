import { HttpException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiResponse } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import {
  DomainError,
  ERROR_STATUS,
  ErrorCode,
  ReauthenticationRequired,
} from '../errors/domain-error';
import { ErrorBody } from '../errors/error-body';
import { HttpErrorFilter } from '../filters/http-error.filter';
import { MAX_BODY_DEPTH } from '../guards/content-type.guard';

/**
 * What Gatehouse says with each code, word for word as the services throw it (where a code has
 * several, the usual one). A Record, so that a new code cannot go undocumented. Copied rather
 * than imported: the decorators of every controller load this file, and importing the services
 * back would make cycles; test/openapi.e2e-spec.ts compares the examples with real answers.
 */
const MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.ValidationFailed]: 'Validation failed',
  [ErrorCode.MalformedBody]: 'The request body is not valid JSON',
  [ErrorCode.BodyTooDeep]: `The request body nests objects or arrays more than ${MAX_BODY_DEPTH} levels deep`,
  [ErrorCode.UnsupportedMediaType]: 'Content-Type must be application/json',
  [ErrorCode.PayloadTooLarge]: 'The request body is too large',
  [ErrorCode.EmailTaken]: 'An account with this email already exists',
  [ErrorCode.InvalidCredentials]: 'Invalid email or password',
  [ErrorCode.WrongCurrentPassword]: 'The current password is wrong',
  [ErrorCode.AccountDisabled]: 'This account is disabled',
  [ErrorCode.EmailNotVerified]:
    'Verify your email address first: follow the link we mailed (POST /auth/email/resend sends a new one)',
  [ErrorCode.InvalidOneTimeToken]:
    'The link is invalid, already used, superseded by a newer one, or expired',
  [ErrorCode.InvalidMfaToken]: 'The mfa_token is invalid, expired or already used; log in again',
  [ErrorCode.InvalidTwoFactorCode]: 'The code is wrong or was already used',
  [ErrorCode.WrongTwoFactorCode]: 'The code is wrong or was already used',
  [ErrorCode.TwoFactorAlreadyEnabled]: 'Two-factor authentication is already on',
  [ErrorCode.TwoFactorNotEnabled]: 'Two-factor authentication is off',
  [ErrorCode.TwoFactorNotSetUp]: 'Call POST /auth/2fa/setup first',
  [ErrorCode.TwoFactorUnavailable]:
    'Two-factor codes cannot be checked right now; use a recovery code',
  [ErrorCode.TwoFactorNotRemovable]:
    'Two-factor was turned on too long ago to be turned off by a password reset; reset without remove_second_factor, or ask an administrator',
  [ErrorCode.InvalidPasskeyChallenge]:
    'The passkey challenge is unknown, already used or expired; ask for new options',
  [ErrorCode.InvalidPasskey]: 'The new passkey could not be verified',
  [ErrorCode.PasskeyRefused]: 'The passkey could not be verified',
  [ErrorCode.PasskeyAlreadyRegistered]: 'This passkey is registered already',
  [ErrorCode.PasskeyLimitReached]:
    'This account has as many passkeys as it may hold; remove one first',
  [ErrorCode.OriginNotAllowed]: 'This origin may not use the session cookie',
  [ErrorCode.Unauthenticated]: 'A bearer access token is required',
  [ErrorCode.ReauthenticationRequired]: new ReauthenticationRequired(0).message,
  [ErrorCode.InvalidToken]: 'The access token is invalid, expired or revoked',
  [ErrorCode.InvalidRefreshToken]: 'The refresh token is invalid, expired or revoked',
  [ErrorCode.InvalidClient]: 'Client authentication failed',
  [ErrorCode.RefreshTokenReused]:
    'This refresh token was already used; the session has been revoked',
  [ErrorCode.Forbidden]: 'Forbidden',
  [ErrorCode.NotFound]: 'Not Found',
  [ErrorCode.TooManyRequests]: 'Too many requests; try again later',
  [ErrorCode.ServiceUnavailable]: 'The service is temporarily unavailable; try again shortly',
  [ErrorCode.Internal]: 'Internal server error',
  [ErrorCode.HttpError]: 'Bad Request',
};

/** One documented error answer: its code, and what this route says where it says more. */
export interface ErrorExample {
  code: ErrorCode;
  message?: string;
  details?: string[];
  /** The line Swagger UI lists the example under; by default the message. */
  summary?: string;
  /** The example's key, for a second example of the same code. By default the code. */
  name?: string;
}

/** A validation failure, as the validation pipe reports it: one line in `details` per problem. */
export const invalidInput = (summary: string, ...details: string[]): ErrorExample => ({
  code: ErrorCode.ValidationFailed,
  details,
  summary,
  name: `VALIDATION_FAILED: ${summary}`,
});

/** What every route with a body answers to a field it does not take (`forbidNonWhitelisted`). */
export const UNKNOWN_FIELD = invalidInput(
  'a field the route does not take',
  'property role should not exist',
);

/** Why a guarded route refuses a caller before it even runs: the access token. */
export const TOKEN_REFUSALS: ErrorExample[] = [
  { code: ErrorCode.Unauthenticated, summary: 'No access token: use Authorize first' },
  {
    code: ErrorCode.InvalidToken,
    summary: 'A token that expired, was revoked (after POST /auth/logout, say) or is not ours',
  },
];

/** `Retry-After`, sent with every 429 and 503 (RFC 9110 §10.2.3). */
export const RETRY_AFTER_HEADER: HeadersObject = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', example: 30 },
  },
};

// The filter itself writes the bodies, so an example has the exact shape of a real answer. Its
// adapter host is only used to send a reply, which an example never does.
const filter = new HttpErrorFilter(new HttpAdapterHost());

const asExample = (example: ErrorCode | ErrorExample): ErrorExample =>
  typeof example === 'string' ? { code: example } : example;

/** The body Gatehouse answers with for this code (no `requestId`: 4xx bodies carry none). */
export function errorBody(example: ErrorCode | ErrorExample): ErrorBody {
  const { code, message = MESSAGES[code], details } = asExample(example);
  return filter.toBody(new DomainError(code, message, details), 'example');
}

/** The body for an HTTP status alone: what the filter answers for a bare HttpException. */
export function statusErrorBody(status: number): ErrorBody {
  return filter.toBody(new HttpException(STATUS_CODES[status] ?? 'Error', status), 'example');
}

type ExampleObjects = Record<string, { summary: string; value: ErrorBody }>;

/** OpenAPI example objects, keyed by code (or name), in the order given. */
export function errorExamples(examples: Array<ErrorCode | ErrorExample>): ExampleObjects {
  return Object.fromEntries(
    examples.map((given) => {
      const example = asExample(given);
      const value = errorBody(example);
      return [example.name ?? example.code, { summary: example.summary ?? value.message, value }];
    }),
  );
}

/**
 * Documents an error answer of the route, in Gatehouse's error shape, with an example for each
 * code it can answer with, so Swagger UI shows the 409 of register as EMAIL_TAKEN rather than a
 * body made up from the schema. The status is the codes' own (ERROR_STATUS); 429 and 503 also
 * document `Retry-After`. Several decorators for one status add up, their examples too.
 */
export function ApiErrorResponse(
  description: string,
  ...examples: Array<ErrorCode | ErrorExample>
): MethodDecorator & ClassDecorator {
  const statuses = new Set(examples.map((example) => ERROR_STATUS[asExample(example).code]));
  if (statuses.size !== 1) {
    throw new Error(`ApiErrorResponse: one status, one code at least (${description})`);
  }
  const status: number = [...statuses][0];
  return ApiResponse({
    status,
    description,
    type: ErrorBody,
    examples: errorExamples(examples),
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADER } : {}),
  });
}
