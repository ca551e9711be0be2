import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { HttpErrorFilter } from '../../common/filters/http-error.filter';
import {
  REQUEST_ID_HEADER,
  RequestWithId,
  ensureRequestId,
  requestIdBelongsInBody,
} from '../../common/http/request-id';
import { OAuth2Error, OAuth2ErrorCode } from './oauth2-error';

const GRANT_ERRORS = new Set<ErrorCode>([
  ErrorCode.InvalidCredentials,
  ErrorCode.AccountDisabled,
  ErrorCode.EmailNotVerified,
  ErrorCode.InvalidRefreshToken,
  ErrorCode.RefreshTokenReused,
]);

/**
 * The token endpoint answers errors as RFC 6749 §5.2 says: `{ error, error_description }` with
 * 400 for request and grant errors, and `Cache-Control: no-store`. The body also carries the
 * request's `requestId`, like every other error: an extra member, as `statusCode` is; clients
 * read the members §5.2 defines and ignore unrecognized ones (as §5.1 requires of the token
 * response these share a format with).
 */
@Catch()
export class OAuth2ExceptionFilter implements ExceptionFilter {
  private readonly fallback: HttpErrorFilter;

  constructor(private readonly adapterHost: HttpAdapterHost) {
    this.fallback = new HttpErrorFilter(adapterHost);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    const request = host.switchToHttp().getRequest<RequestWithId>();
    const requestId = ensureRequestId(request);
    const [status, error, description] = this.map(exception, requestId);
    httpAdapter.setHeader(response, REQUEST_ID_HEADER, requestId);
    httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    httpAdapter.setHeader(response, 'Pragma', 'no-cache');
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    }
    if (error === 'invalid_client') {
      // RFC 6749 §5.2: a 401 names the authentication scheme the client should use.
      httpAdapter.setHeader(response, 'WWW-Authenticate', 'Basic realm="gatehouse"');
    }
    httpAdapter.reply(
      response,
      {
        error,
        error_description: description,
        ...(exception instanceof OAuth2Error ? exception.extra : {}),
        statusCode: status,
        ...(requestIdBelongsInBody(request, status) ? { requestId } : {}),
      },
      status,
    );
  }

  private map(exception: unknown, requestId: string): [number, OAuth2ErrorCode, string] {
    if (exception instanceof OAuth2Error) {
      return [exception.status, exception.error, exception.description];
    }
    const body = this.fallback.toBody(exception, requestId);
    if (GRANT_ERRORS.has(body.code)) return [HttpStatus.BAD_REQUEST, 'invalid_grant', body.message];
    if (body.statusCode === 401) {
      return [HttpStatus.UNAUTHORIZED, 'invalid_client', body.message];
    }
    if (body.statusCode === 403) {
      return [HttpStatus.FORBIDDEN, 'insufficient_scope', body.message];
    }
    if (body.statusCode === 429) {
      return [429, 'temporarily_unavailable', body.message];
    }
    if (body.statusCode >= 500) {
      const code = body.statusCode === 503 ? 'temporarily_unavailable' : 'server_error';
      return [body.statusCode, code, body.message];
    }
    const detail = body.details?.join('; ');
    return [
      body.statusCode === 401 ? 400 : body.statusCode,
      'invalid_request',
      detail ?? body.message,
    ];
  }
}
