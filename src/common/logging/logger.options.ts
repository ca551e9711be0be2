import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdSerializers, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import type { AllConfig } from '../../config';
import type { LogLevel } from '../../config/env.validation';
import { ensureRequestId } from './request-id';

/** Body fields that carry a secret, wherever they might end up in a log object. */
const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'client_secret',
];

/**
 * Belt and braces: the serializers below already keep bodies out of the log, and an audit line
 * never carries a credential; should someone log one anyway, these paths are censored.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `req.body.${field}`]),
];

type LoggedRequest = IncomingMessage & { id?: unknown; ip?: string; originalUrl?: string };

/**
 * The path without its query string: RFC 6750 §2.3 lets clients put `access_token` there, and
 * though this API refuses it, the URL would still reach the log.
 */
export function pathOnly(url: string | undefined): string | undefined {
  return url?.replace(/[?#].*$/s, '');
}

/**
 * What a request log line says about the request. `ip` is the client address as the adapter
 * sees it (TRUST_PROXY applied: Express's `req.ip`, or the one Fastify's middleware bridge copies
 * onto the raw request), falling back to the socket.
 */
function serializeRequest(req: LoggedRequest) {
  return {
    id: req.id,
    method: req.method,
    url: pathOnly(req.originalUrl ?? req.url),
    ip: req.ip ?? req.socket?.remoteAddress,
    headers: req.headers,
  };
}

/** pino-http's options: one JSON line per event on stdout, with the request's id bound. */
export function pinoHttpOptions(level: LogLevel): Options<IncomingMessage, ServerResponse> {
  return {
    level,
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Ours replace the standard ones entirely: theirs log the query string and parsed query.
    wrapSerializers: false,
    serializers: {
      req: serializeRequest,
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    // The id is normally set before this runs (see configureApp); this covers anything else.
    genReqId: (req) => ensureRequestId(req),
    customAttributeKeys: { reqId: 'requestId' },
    // Lines logged while serving a request carry its id, not a copy of the whole request;
    // the one "request completed" line carries the request itself.
    quietReqLogger: true,
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: (req, res) =>
      `${req.method} ${pathOnly((req as LoggedRequest).originalUrl ?? req.url)} ${res.statusCode}`,
    customErrorMessage: (req, res) =>
      `${req.method} ${pathOnly((req as LoggedRequest).originalUrl ?? req.url)} ${res.statusCode}`,
  };
}

/** LoggerModule's configuration, from the validated `app` namespace. */
export const loggerModuleOptions = {
  inject: [ConfigService],
  useFactory: (config: ConfigService<AllConfig, true>): Params => ({
    pinoHttp: pinoHttpOptions(config.get('app', { infer: true }).logLevel),
    // Express 5 / path-to-regexp 8 syntax for "every route" (nestjs-pino's default is `*`).
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  }),
};
