import { ArgumentsHost, HttpException, IntrinsicException, Logger } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { databaseUnavailable } from '../errors/driver-errors';
import { optionalPeer } from '../optional-peer';

/**
 * A refusal as a socket or a message handler's caller receives it: the same code and message as
 * the HTTP body, under Nest's own `status: 'error'`.
 */
export interface CallErrorPayload {
  status: 'error';
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: string[];
  retryAfter?: number;
}

/** The codes GraphQL clients know (Apollo's), by HTTP status; Gatehouse's own code beside. */
const GRAPHQL_CODES: Partial<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** Nest's own words for an error it does not know. */
const INTERNAL_MESSAGE = 'Internal server error';

/**
 * What a GraphQL resolver's error becomes: graphql-js keeps an error's `extensions` when it wraps
 * it, so no import of `graphql` is needed (a host without GraphQL loads none of this). Its stack
 * is the one line of its code and message: a refusal is an answer, not a fault, and Apollo
 * outside production sends `stack` to the client. Intrinsic: Nest does not log it as an error.
 */
export class GraphQLRefusal extends IntrinsicException {
  readonly extensions: Record<string, unknown>;

  constructor(error: DomainError) {
    super(error.message);
    this.name = 'GraphQLRefusal';
    this.extensions = {
      code: GRAPHQL_CODES[error.status] ?? error.code,
      gatehouseCode: error.code,
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfter: error.retryAfterSeconds } : {}),
    };
    this.stack = `${String(this.extensions.code)}: ${error.message}`;
  }
}

export function payloadOf(error: DomainError): CallErrorPayload {
  return {
    status: 'error',
    statusCode: error.status,
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfter: error.retryAfterSeconds } : {}),
  };
}

interface SocketLike {
  emit?: (event: string, payload: unknown) => unknown;
  send?: (data: string) => unknown;
  handshake?: unknown;
  readyState?: number;
}

/**
 * Tells a socket why its message was refused, as Nest's own WebSocket filter would: socket.io's
 * `exception` event, or for the plain `ws` adapter a `{ event: 'exception', data }` frame (Nest's
 * filter emits on the server-side object there, which reaches no client). The message refused is
 * not echoed: its data may hold what the log must not.
 */
export function tellSocket(client: unknown, data: object): void {
  const socket = client as SocketLike;
  if (socket.handshake !== undefined && typeof socket.emit === 'function') {
    socket.emit('exception', data);
  } else if (typeof socket.send === 'function' && socket.readyState === 1) {
    socket.send(JSON.stringify({ event: 'exception', data }));
  }
}

/**
 * A DomainError, or anything else, answered outside HTTP: as the value a GraphQL resolver's filter
 * returns (graphql-js raises it), a socket's `exception`, or a message handler's error. What is
 * already that kind of call's own answer (a guard's WsException or RpcException, a GraphQL error, a
 * host's HttpException on GraphQL) goes on as it is; anything else is answered as a guard's
 * failure is: a store that cannot answer as 503, the rest logged and masked.
 */
export function answerOutsideHttp(
  exception: unknown,
  host: ArgumentsHost,
  logger: Logger,
): unknown {
  const type = host.getType<string>();
  if (type !== 'graphql' && type !== 'ws' && type !== 'rpc') return exception;
  const answer = isOwnAnswer(type, exception) ? exception : failureFor(type, exception, logger);
  if (type === 'graphql') return answer;
  // As Nest's own filters send a WsException's or an RpcException's error: a bare message wrapped.
  const error = (answer as NestCallException).getError();
  const payload =
    typeof error === 'object' && error !== null ? error : { status: 'error', message: error };
  if (type === 'rpc') return rpcError(payload);
  tellSocket(host.switchToWs().getClient(), payload);
  return undefined;
}

/** Nest's WsException and RpcException, by their shape: the host's copy of the package may differ. */
interface NestCallException extends Error {
  getError(): unknown;
}

function isOwnAnswer(type: 'graphql' | 'ws' | 'rpc', exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  if (type === 'graphql') {
    // A GraphQL error (Gatehouse's refusal among them) carries `extensions`; an HttpException is
    // answered by Nest's GraphQL module with its status's code.
    return 'extensions' in exception || exception instanceof HttpException;
  }
  return typeof (exception as Partial<NestCallException>).getError === 'function';
}

/** An unexpected error is logged, and answered as a bare internal error: its message may say too much. */
function logUnexpected(exception: unknown, logger: Logger): void {
  logger.error(
    { stack: exception instanceof Error ? exception.stack : String(exception) },
    'unhandled error',
  );
}

const rpcError = (payload: object): Observable<never> => throwError(() => payload);

interface NestExceptions {
  WsException: new (error: object) => Error;
  RpcException: new (error: object) => Error;
}

/**
 * What a guard throws outside HTTP for anything that is not a refusal: a store that cannot answer
 * as 503 (as HTTP answers it), anything else logged and sent as a bare internal error — never its
 * message (a driver's names hosts and ports) nor, through GraphQL, its stack.
 */
export function failureFor(type: string, error: unknown, logger: Logger): Error {
  if (error instanceof DomainError) return refusalFor(type, error);
  // As it came: HttpErrorFilter reads a driver's error by its code, whichever realm made it.
  if (type === 'http') return error as Error;
  const code = databaseUnavailable(error);
  if (code) {
    logger.warn({ code }, 'database unavailable');
    return refusalFor(
      type,
      new DomainError(
        ErrorCode.ServiceUnavailable,
        'The service is temporarily unavailable; try again shortly',
      ),
    );
  }
  logUnexpected(error, logger);
  return refusalFor(type, new DomainError(ErrorCode.Internal, INTERNAL_MESSAGE));
}

/**
 * A refusal as the kind of call it refuses knows it, for a guard to throw: GraphQL's error with
 * `extensions.code`, Nest's WsException or RpcException carrying the HTTP body's code and message
 * (their default handlers send those to the client as they are; a plain error would reach it as
 * "Internal server error", since Nest applies no global filter to gateways), or the DomainError
 * itself on HTTP.
 */
export function refusalFor(type: string, error: DomainError): Error {
  switch (type) {
    case 'graphql':
      return new GraphQLRefusal(error);
    case 'ws':
      return new (optionalPeer<NestExceptions>('@nestjs/websockets').WsException)(payloadOf(error));
    case 'rpc':
      return new (optionalPeer<NestExceptions>('@nestjs/microservices').RpcException)(
        payloadOf(error),
      );
    default:
      return error;
  }
}

/** The WebSocket close code for a refusal: 4401 and 4403, after HTTP's, as graphql-ws does. */
export function closeCodeOf(error: DomainError): number {
  const status = Number(error.status);
  return status === 403 ? 4403 : status === 401 ? 4401 : 4500;
}
