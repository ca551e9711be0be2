import type { ExecutionContext } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import { extractBearerToken } from './bearer-token.extractor';
import type { BearerRequest } from './bearer-token.extractor';

type Caller = AuthUser<string | number>;

/** A request as the guard and passport-jwt read it: headers, and the caller once admitted. */
export interface CallRequest extends BearerRequest {
  user?: Caller;
}

/**
 * What a guarded call presents, whatever carried it:
 * - `http`: the request;
 * - `graphql`: the HTTP request of the operation (`context.req`, as Nest's GraphQL drivers set it),
 *   or for a subscription over graphql-ws the connection's `connectionParams` (`authorization:
 *   'Bearer …'`, or `token`), else its upgrade request's `Authorization` header;
 * - `ws`: the socket's handshake: socket.io's `auth.token` or `Authorization` header, or for the
 *   plain `ws` adapter the upgrade request's `Authorization` header (see {@link rememberUpgrade});
 * - `rpc`: the message's `authorization` field (`Bearer <token>`), as an HTTP header would carry it.
 *
 * Never a query string: it ends up in access logs and proxies. Each gives a request-shaped object,
 * so the bearer extractor and passport-jwt read every kind of call the same way.
 */
export interface CallCredentials {
  request: CallRequest;
  /**
   * Where the admitted caller is kept for the call: the HTTP request (so that a second guard on
   * the same request does not check again), the socket (each of its messages is checked again),
   * or a message's data.
   */
  holder: object;
  /** An HTTP request (its caller is also `request.user`), or a stand-in for a socket or message. */
  http: boolean;
  /**
   * A plain HTTP request: one caller for the whole request, so a second guard on it need not check
   * again. Not a GraphQL operation: a host's context may hand every operation the same object.
   */
  once?: boolean;
  /** The bearer token, once read ({@link tokenOf}); null for none. */
  token?: string | null;
}

const NO_CREDENTIALS: Readonly<BearerRequest> = Object.freeze({ headers: {} });
/** A token was presented, but not as a string: refused as a bad token, not as none. */
const INVALID: Readonly<BearerRequest> = Object.freeze({ headers: { authorization: 'invalid' } });
/**
 * Where a holder keeps its admitted caller: a property of its own, not a WeakMap entry (one per
 * request would make every garbage collection walk them all).
 */
const CALLER = Symbol('gatehouse:caller');
type Holder = { [CALLER]?: Caller };
const callerIn = (holder: object): Caller | undefined => (holder as Holder)[CALLER];
const upgrades = new WeakMap<object, BearerRequest>();
/**
 * A socket's or a graphql-ws connection's credentials, read once: its handshake does not change,
 * and each message then hands the token cache the same string (whose hash V8 keeps).
 */
const connections = new WeakMap<object, CallCredentials>();

/** The call's bearer token (or null), read once per call, or once per connection. */
export function tokenOf(call: CallCredentials): string | null {
  if (call.token === undefined) call.token = extractBearerToken(call.request);
  return call.token;
}

function connectionCall(holder: object, read: () => BearerRequest): CallCredentials {
  const known = connections.get(holder);
  if (known) return known;
  const call = messageCall(holder, read());
  // Kept once there is something to keep: a ws socket's upgrade may be remembered after.
  if (call.request.headers.authorization !== undefined) connections.set(holder, call);
  return call;
}

/** The credentials of a guarded call: see {@link CallCredentials}. */
export function credentialsOf(context: ExecutionContext): CallCredentials {
  switch (context.getType<string>()) {
    case 'http': {
      // By index, as switchToHttp() would read it: that allocates three closures per call.
      const request = context.getArgByIndex<CallRequest>(0);
      return { request, holder: request, http: true, once: true };
    }
    case 'graphql': {
      const graphqlContext = context.getArgByIndex<unknown>(2);
      const request = graphqlRequestOf(graphqlContext);
      // Kept by the resolver's `info`, which is this call's alone (the guard and the parameters
      // of one field see the same one): the request, or the GraphQL context, may be shared.
      const info = context.getArgByIndex<unknown>(3);
      const holder = isObject(info) ? info : context.getArgs();
      if (request) return { request, holder, http: true };
      // A graphql-ws connection: one token for its life, as a socket's.
      const connection = graphqlWsConnectionOf(graphqlContext);
      if (connection) return connectionCall(connection, () => connectionCredentials(connection));
      return messageCall(context.getArgs(), NO_CREDENTIALS);
    }
    case 'ws': {
      const socket = context.getArgByIndex<object>(0);
      // A socket presents one token for its life: its caller is the socket's.
      return connectionCall(socket, () => handshakeOf(socket));
    }
    case 'rpc': {
      const data = context.getArgByIndex<unknown>(0);
      return messageCall(isObject(data) ? data : context.getArgs(), messageAuthorizationOf(data));
    }
    default:
      return messageCall(context.getArgs(), NO_CREDENTIALS);
  }
}

/**
 * The caller the guard admitted for this call, if it did. On a plain HTTP request, whatever is
 * `request.user` now: a host's guard or interceptor after JwtAuthGuard may have put a richer one.
 */
export function callerOf(context: ExecutionContext): Caller | undefined {
  const { holder, request, http, once } = credentialsOf(context);
  if (once) return request.user ?? callerIn(holder);
  return callerIn(holder) ?? (http ? request.user : undefined);
}

/** The caller a socket or a connection was admitted as before (none for HTTP: each is new). */
export function knownCaller(call: CallCredentials): Caller | undefined {
  return call.http ? undefined : callerIn(call.holder);
}

/** Keeps the admitted caller for the rest of the call (and, on HTTP, as `request.user`). */
export function admitCaller(
  credentials: Pick<CallCredentials, 'holder' | 'http' | 'request'>,
  caller: Caller,
): void {
  // Not enumerable: a copy of a message's data (`{ ...data }`) is not admitted with it.
  Object.defineProperty(credentials.holder, CALLER, {
    value: caller,
    writable: true,
    configurable: true,
  });
  if (credentials.http) credentials.request.user = caller;
}

/** Whether a guard admitted a caller for this call already (a request guarded twice). */
export function isAdmitted(credentials: CallCredentials): boolean {
  return credentials.once === true && callerIn(credentials.holder) !== undefined;
}

/**
 * For the plain `ws` adapter, whose sockets do not keep the request that opened them: the
 * upgrade request, kept by GatehouseWsAdapter so that the guard can read its headers.
 */
export function rememberUpgrade(socket: object, request: BearerRequest): void {
  upgrades.set(socket, { headers: request.headers, rawHeaders: request.rawHeaders });
}

/**
 * `holder` is what the guard and the parameter decorators of one call both see: the socket, or
 * the message's data (Nest hands each a new arguments array, but the same data).
 */
function messageCall(holder: object, request: BearerRequest): CallCredentials {
  return {
    request: { headers: request.headers, rawHeaders: request.rawHeaders },
    holder,
    http: false,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Nest's GraphQL drivers put the HTTP request at `req` (Apollo) or `reply.request` (Mercurius). */
function graphqlRequestOf(graphqlContext: unknown): CallRequest | undefined {
  if (!isObject(graphqlContext)) return undefined;
  const reply = graphqlContext.reply;
  const request = graphqlContext.req ?? (isObject(reply) ? reply.request : undefined);
  return isObject(request) && isObject(request.headers)
    ? (request as unknown as CallRequest)
    : undefined;
}

/** socket.io's `auth.token`: the token itself, or as an Authorization header would carry it. */
function bearer(token: unknown): BearerRequest {
  if (typeof token !== 'string') return INVALID;
  return { headers: { authorization: /^bearer /i.test(token) ? token : `Bearer ${token}` } };
}

/** socket.io's handshake (`auth.token`, else its `Authorization` header), or a `ws` upgrade. */
export function handshakeOf(socket: unknown): BearerRequest {
  if (!isObject(socket)) return NO_CREDENTIALS;
  const handshake = socket.handshake;
  if (isObject(handshake)) {
    const auth = handshake.auth;
    if (isObject(auth) && auth.token !== undefined) return bearer(auth.token);
    if (isObject(handshake.headers)) {
      // The raw headers too, so that a repeated Authorization header is refused as on HTTP.
      const request = socket.request;
      const rawHeaders = isObject(request)
        ? (request.rawHeaders as string[] | undefined)
        : undefined;
      return { headers: handshake.headers as BearerRequest['headers'], rawHeaders };
    }
    return NO_CREDENTIALS;
  }
  return upgrades.get(socket) ?? NO_CREDENTIALS;
}

/** A message's `authorization` field, read as the header of the same name. */
function messageAuthorizationOf(data: unknown): BearerRequest {
  if (!isObject(data) || typeof data.authorization !== 'string') return NO_CREDENTIALS;
  return { headers: { authorization: data.authorization } };
}

/** A graphql-ws connection context, as graphql-ws hands it to `onConnect` and Nest to resolvers. */
export interface GraphqlWsConnection {
  connectionParams?: Readonly<Record<string, unknown>>;
  /** With the `ws` server: `{ socket, request }`. */
  extra?: unknown;
}

/** Nest's Apollo driver puts graphql-ws's connection context at `req` of a subscription's. */
function graphqlWsConnectionOf(graphqlContext: unknown): GraphqlWsConnection | undefined {
  if (!isObject(graphqlContext)) return undefined;
  const connection = graphqlContext.req ?? graphqlContext;
  return isObject(connection) && ('connectionParams' in connection || 'extra' in connection)
    ? connection
    : undefined;
}

/** `connectionParams.authorization` (or `Authorization`, or a bare `token`), else the upgrade's. */
export function connectionCredentials(connection: GraphqlWsConnection): BearerRequest {
  const params = connection.connectionParams ?? {};
  const authorization = params.authorization ?? params.Authorization;
  if (authorization !== undefined) {
    return typeof authorization === 'string' ? { headers: { authorization } } : INVALID;
  }
  if (params.token !== undefined) return bearer(params.token);
  const request = isObject(connection.extra) ? connection.extra.request : undefined;
  // The raw headers too, so that a repeated Authorization header is refused as on HTTP.
  return isObject(request) && isObject(request.headers)
    ? {
        headers: request.headers as BearerRequest['headers'],
        rawHeaders: request.rawHeaders as string[] | undefined,
      }
    : NO_CREDENTIALS;
}
