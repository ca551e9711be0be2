import { Logger } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { AppLogger, createRootLogger } from './app-logger';
import { pathOnly } from './logger.options';
import { requestLogger } from './request-logger';

/** A root logger writing into an array. */
function sink(level: 'info' | 'debug' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, root: createRootLogger(level, stream) };
}

function request() {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/users/me?access_token=leaked.jwt.value';
  req.headers = {
    authorization: 'Bearer secret.jwt.value',
    cookie: 'session=secret-cookie',
    'user-agent': 'spec',
    'x-request-id': 'spec-1',
  };
  return { req, res: new ServerResponse(req) };
}

describe('logging', () => {
  it('cuts the query string and fragment from a logged URL', () => {
    expect(pathOnly('/auth/refresh?refresh_token=abc#x')).toBe('/auth/refresh');
    expect(pathOnly('/users/me')).toBe('/users/me');
  });

  it('logs a finished request by path, with its id and user agent, and none of its headers', () => {
    const { lines, root } = sink();
    const { req, res } = request();
    let passed = false;
    requestLogger(root)(req, res, () => (passed = true));
    expect(passed).toBe(true);
    res.statusCode = 401;
    res.emit('finish');
    res.emit('close');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      requestId: 'spec-1',
      req: { id: 'spec-1', method: 'GET', url: '/users/me', userAgent: 'spec' },
      res: { statusCode: 401 },
      msg: 'GET /users/me 401',
    });
    expect(lines[0].req).not.toHaveProperty('headers');
    expect(JSON.stringify(lines)).not.toMatch(/secret|leaked/);
  });

  it('logs a request the client gave up on, once', () => {
    const { lines, root } = sink();
    const { req, res } = request();
    requestLogger(root)(req, res, () => undefined);
    res.emit('close');
    res.emit('close');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'GET /users/me aborted' }),
    ]);
  });

  it('censors secret fields a log call might carry', () => {
    const { lines, root } = sink();
    root.info({ password: 'hunter2', body: { refresh_token: 'r.t.v' } }, 'oops');
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      body: { refresh_token: '[redacted]' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|r\.t\.v/);
  });

  it("writes Nest's Logger calls as JSON lines: context, fields, message, error stack", () => {
    const { lines, root } = sink('debug');
    const logger = new AppLogger(root);
    Logger.overrideLogger(logger);
    try {
      new Logger('Audit').log({ audit: 'logout', userId: 'u1' }, 'audit logout');
      new Logger('Boot').warn('plain message');
      new Logger('Http').error('boom', 'Error: boom\n    at somewhere (file.js:1:1)');
      new Logger('Guard').debug({ requestId: 'r1', reason: 'revoked' }, 'bearer token refused');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'Audit',
        audit: 'logout',
        userId: 'u1',
        msg: 'audit logout',
      }),
      expect.objectContaining({ level: 'warn', context: 'Boot', msg: 'plain message' }),
      expect.objectContaining({
        level: 'error',
        context: 'Http',
        msg: 'boom',
        stack: expect.stringContaining('at somewhere'),
      }),
      expect.objectContaining({
        level: 'debug',
        context: 'Guard',
        requestId: 'r1',
        msg: 'bearer token refused',
      }),
    ]);
  });
});
