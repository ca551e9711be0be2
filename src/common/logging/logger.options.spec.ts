import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { pathOnly, pinoHttpOptions } from './logger.options';

/** A pino-http middleware writing into an array, and a request to run through it. */
function harness() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const middleware = pinoHttp({ ...pinoHttpOptions('info'), stream: sink });
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/users/me?access_token=leaked.jwt.value';
  req.headers = {
    authorization: 'Bearer secret.jwt.value',
    cookie: 'session=secret-cookie',
    'user-agent': 'spec',
  };
  Object.assign(req, { id: 'spec-1' });
  const res = new ServerResponse(req);
  return { lines, middleware, req, res };
}

describe('logger options', () => {
  it('cuts the query string and fragment from a logged URL', () => {
    expect(pathOnly('/auth/refresh?refresh_token=abc#x')).toBe('/auth/refresh');
    expect(pathOnly('/users/me')).toBe('/users/me');
  });

  it('logs a request by path, with its id, and censors credentials', () => {
    const { lines, middleware, req, res } = harness();
    middleware(req, res);
    res.statusCode = 401;
    res.emit('finish');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      requestId: 'spec-1',
      req: {
        id: 'spec-1',
        method: 'GET',
        url: '/users/me',
        headers: { authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'spec' },
      },
      res: { statusCode: 401 },
      msg: 'GET /users/me 401',
    });
    expect(JSON.stringify(lines)).not.toMatch(/secret|leaked/);
  });

  it('censors secret fields a log call might carry', () => {
    const { lines, middleware, req, res } = harness();
    middleware(req, res);
    req.log.info({ password: 'hunter2', body: { refresh_token: 'r.t.v' } }, 'oops');
    expect(lines[0]).toMatchObject({
      requestId: 'spec-1',
      password: '[redacted]',
      body: { refresh_token: '[redacted]' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|r\.t\.v/);
  });
});
