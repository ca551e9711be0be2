import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { databaseUnavailable } from '../errors/driver-errors';
import { DomainError, ErrorCode, ReauthenticationRequired } from '../errors/domain-error';
import { ErrorBody } from '../errors/error-body';
import { answerOutsideHttp } from './call-errors';
import {
  REQUEST_ID_HEADER,
  RequestWithId,
  ensureRequestId,
  requestIdBelongsInBody,
} from '../http/request-id';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.TooManyRequests,
  503: ErrorCode.ServiceUnavailable,
};

/** Messages for errors raised below Nest (body parsers): theirs may echo the request body. */
const PARSER_MESSAGES: Partial<Record<number, [ErrorCode, string]>> = {
  400: [ErrorCode.MalformedBody, 'The request body could not be parsed'],
  413: [ErrorCode.PayloadTooLarge, 'The request body is too large'],
  415: [ErrorCode.UnsupportedMediaType, 'Unsupported content type or encoding'],
};

const REALM = 'Bearer realm="gatehouse"';

/**
 * Every error leaves as {@link ErrorBody}: domain errors by their code, HTTP exceptions by their
 * status, parser errors with a fixed message, and anything unexpected as a bare 500 (its stack
 * logged, never sent). Each carries the request's id, the one in `X-Request-Id` and in the log.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    // A resolver, a gateway or a message handler: no HTTP response to write.
    if (host.getType() !== 'http') return answerOutsideHttp(exception, host, this.logger);
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<unknown>();
    const request = ctx.getRequest<RequestWithId>();
    const requestId = ensureRequestId(request);
    const body: ErrorBody = this.toBody(exception, requestId);
    if (requestIdBelongsInBody(request, body.statusCode)) body.requestId = requestId;
    httpAdapter.setHeader(response, REQUEST_ID_HEADER, requestId);
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    } else if (body.code === ErrorCode.ServiceUnavailable) {
      httpAdapter.setHeader(response, 'Retry-After', '5');
    }
    if (body.statusCode === 401) {
      // RFC 6750 §3: a bearer-protected resource names its scheme, and says when a token was bad.
      if (body.code === ErrorCode.Unauthenticated) {
        httpAdapter.setHeader(response, 'WWW-Authenticate', REALM);
      } else if (exception instanceof ReauthenticationRequired) {
        // RFC 9470 §3: the token is fine, the sign-in behind it too old for this operation.
        httpAdapter.setHeader(
          response,
          'WWW-Authenticate',
          `${REALM}, error="insufficient_user_authentication", error_description="${body.message}", max_age="${exception.maxAgeSeconds}"`,
        );
      } else if (body.code === ErrorCode.InvalidToken) {
        httpAdapter.setHeader(
          response,
          'WWW-Authenticate',
          `${REALM}, error="invalid_token", error_description="${body.message}"`,
        );
      }
    }
    httpAdapter.reply(response, body, body.statusCode);
    return undefined;
  }

  /** The body for this exception; `requestId` only names the request in the log. */
  toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      return shape(exception.status, exception.code, exception.message, exception.details);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 400 && /JSON/.test(exception.message)) {
        // Nest rewraps the body parser's SyntaxError, whose message quotes the body: replace it.
        return shape(status, ErrorCode.MalformedBody, 'The request body is not valid JSON');
      }
      return shape(status, CODE_BY_STATUS[status] ?? ErrorCode.HttpError, httpMessage(exception));
    }
    const unavailable = databaseUnavailable(exception);
    if (unavailable) {
      this.logger.warn({ requestId, code: unavailable }, 'database unavailable');
      return shape(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.ServiceUnavailable,
        'The service is temporarily unavailable; try again shortly',
      );
    }
    const parserStatus = clientErrorStatus(exception);
    if (parserStatus !== undefined) {
      const [code, message] = PARSER_MESSAGES[parserStatus] ?? [
        CODE_BY_STATUS[parserStatus] ?? ErrorCode.HttpError,
        STATUS_CODES[parserStatus] ?? 'Bad request',
      ];
      return shape(parserStatus, code, message);
    }
    this.logger.error(
      { requestId, stack: exception instanceof Error ? exception.stack : String(exception) },
      'unhandled error',
    );
    return shape(HttpStatus.INTERNAL_SERVER_ERROR, ErrorCode.Internal, 'Internal server error');
  }
}

function shape(status: number, code: ErrorCode, message: string, details?: string[]): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    ...(details && details.length > 0 ? { details } : {}),
  };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}

/** The 4xx status a body parser (Express's or Fastify's) attached to its error, if any. */
function clientErrorStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, statusCode } = exception as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}
