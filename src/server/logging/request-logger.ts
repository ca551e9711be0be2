import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger as Pino } from 'pino';
import { pathOnly } from './logger.options';
import { ensureRequestId } from '../../index';
import type { RequestWithId } from '../../index';

type LoggedRequest = IncomingMessage & RequestWithId & { ip?: string; originalUrl?: string };

/**
 * One line per request when its answer has gone out (or the client gave up): id, method, path
 * without the query string (RFC 6750 §2.3 allows `access_token` there), address, user agent,
 * status and duration. No header is copied in: that is where credentials travel, and it would
 * make every line several times longer. Written by hand rather than with pino-http: one object
 * and one write per request, no child logger and no request-bound logger to carry around.
 */
export function requestLogger(log: Pino) {
  return (req: LoggedRequest, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    const requestId = ensureRequestId(req);
    const done = (finished: boolean): void => {
      res.off('finish', onFinish);
      res.off('close', onClose);
      const status = finished ? res.statusCode : undefined;
      const level =
        status === undefined ? 'warn' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const url = pathOnly(req.originalUrl ?? req.url);
      log[level](
        {
          requestId,
          req: {
            id: requestId,
            method: req.method,
            url,
            ip: req.ip ?? req.socket?.remoteAddress,
            userAgent: req.headers['user-agent'],
          },
          res: { statusCode: status ?? null },
          responseTime: Math.round(performance.now() - started),
        },
        status === undefined ? `${req.method} ${url} aborted` : `${req.method} ${url} ${status}`,
      );
    };
    // 'finish': the answer has been handed to the OS. 'close' first: the client went away.
    const onFinish = () => done(true);
    const onClose = () => done(false);
    res.on('finish', onFinish);
    res.on('close', onClose);
    next();
  };
}
