import type { ResponseObject, SchemaObject } from '@nestjs/swagger';
import { RETRY_AFTER_HEADER, errorBody } from '../../common/openapi/error-responses';
import { ErrorCode } from '../../common/errors/domain-error';

/** The schema's name in `components.schemas`. */
export const OAUTH2_ERROR_SCHEMA = 'OAuth2ErrorBody';

/** The token endpoint's error shape (RFC 6749 §5.2), as OAuth2ExceptionFilter writes it. */
export const OAUTH2_ERROR_BODY: SchemaObject = {
  type: 'object',
  required: ['error', 'error_description', 'statusCode'],
  properties: {
    error: {
      type: 'string',
      enum: [
        'invalid_request',
        'invalid_grant',
        'unsupported_grant_type',
        'invalid_client',
        'insufficient_scope',
        'server_error',
        'temporarily_unavailable',
        'mfa_required',
      ],
    },
    error_description: { type: 'string' },
    mfa_token: {
      type: 'string',
      description: 'mfa_required only: POST it with a code to /auth/2fa/verify.',
    },
    expires_in: {
      type: 'integer',
      description: 'mfa_required only: seconds until the mfa_token expires.',
    },
    statusCode: { type: 'integer' },
    requestId: { type: 'string' },
  },
};

/** A body as OAuth2ExceptionFilter writes it: the RFC's members first, then the status. */
const body = (status: number, error: string, description: string, extra = {}) => ({
  error,
  error_description: description,
  ...extra,
  statusCode: status,
});

const content = (examples: Record<string, { summary: string; value: object }>) => ({
  'application/json': {
    schema: { $ref: `#/components/schemas/${OAUTH2_ERROR_SCHEMA}` },
    examples,
  },
});

/**
 * The token endpoint's error answers, replacing those AuthController declares for its routes
 * in Gatehouse's own error shape. Keyed by status; the messages are the services' own.
 */
export const OAUTH2_TOKEN_ERRORS: Record<number, ResponseObject> = {
  400: {
    description:
      'RFC 6749 §5.2: `invalid_grant` (wrong email or password, a disabled account, an invalid or reused refresh token), `invalid_request` (a parameter missing or invalid), `unsupported_grant_type`.',
    content: content({
      invalid_grant: {
        summary: 'Wrong email or password',
        value: body(400, 'invalid_grant', errorBody(ErrorCode.InvalidCredentials).message),
      },
      invalid_request: {
        summary: 'A parameter is missing',
        value: body(400, 'invalid_request', 'username and password are required'),
      },
      unsupported_grant_type: {
        summary: 'Neither password nor refresh_token',
        value: body(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token'),
      },
    }),
  },
  403: {
    description:
      'Two-factor is on: `mfa_required`, with an `mfa_token` to POST with a code to /auth/2fa/verify for the pair.',
    content: content({
      mfa_required: {
        summary: 'The password was right; the second factor is due',
        value: body(
          403,
          'mfa_required',
          'Two-factor authentication is on: POST the mfa_token with a code to /auth/2fa/verify',
          { mfa_token: 'eyJhbGciOi…', expires_in: 300 },
        ),
      },
    }),
  },
  429: {
    description:
      'Too many attempts: `temporarily_unavailable`; `Retry-After` says when to try again',
    headers: RETRY_AFTER_HEADER,
    content: content({
      temporarily_unavailable: {
        summary: 'Rate limited',
        value: body(429, 'temporarily_unavailable', errorBody(ErrorCode.TooManyRequests).message),
      },
    }),
  },
};
