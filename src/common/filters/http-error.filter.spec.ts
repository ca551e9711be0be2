import { ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { HttpErrorFilter } from './http-error.filter';

function harness(request: { id?: unknown; headers: Record<string, string> } = { headers: {} }) {
  const replies: Array<{ body: unknown; status: number }> = [];
  const headers: Record<string, string> = {};
  const adapterHost = {
    httpAdapter: {
      reply: (_res: unknown, body: unknown, status: number) => replies.push({ body, status }),
      setHeader: (_res: unknown, name: string, value: string) => (headers[name] = value),
    },
  } as unknown as HttpAdapterHost;
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => request }),
  } as unknown as ArgumentsHost;
  const filter = new HttpErrorFilter(adapterHost);
  return { filter, host, replies, headers };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('HttpErrorFilter', () => {
  it('maps a domain error to its status and stable body', () => {
    const { filter, host, replies } = harness();
    filter.catch(new DomainError(ErrorCode.EmailTaken, 'taken'), host);
    expect(replies).toEqual([
      {
        status: 409,
        body: {
          statusCode: 409,
          error: 'Conflict',
          code: 'EMAIL_TAKEN',
          message: 'taken',
        },
      },
    ]);
  });

  it('carries validation details', () => {
    const { filter, host, replies } = harness();
    filter.catch(
      new DomainError(ErrorCode.ValidationFailed, 'Validation failed', ['a', 'b']),
      host,
    );
    expect(replies[0].body).toMatchObject({ details: ['a', 'b'] });
  });

  it('never sends the internal reason of a refusal', () => {
    const { filter, host, replies } = harness();
    filter.catch(
      new DomainError(ErrorCode.InvalidToken, 'bad token', undefined, 'jti abc revoked'),
      host,
    );
    expect(JSON.stringify(replies[0].body)).not.toContain('jti abc');
  });

  it('adds WWW-Authenticate on bearer 401s (RFC 6750 §3)', () => {
    const missing = harness();
    missing.filter.catch(new DomainError(ErrorCode.Unauthenticated, 'no token'), missing.host);
    expect(missing.headers['WWW-Authenticate']).toBe('Bearer realm="gatehouse"');
    const invalid = harness();
    invalid.filter.catch(new DomainError(ErrorCode.InvalidToken, 'bad'), invalid.host);
    expect(invalid.headers['WWW-Authenticate']).toContain('error="invalid_token"');
    const login = harness();
    login.filter.catch(new DomainError(ErrorCode.InvalidCredentials, 'bad'), login.host);
    expect(login.headers['WWW-Authenticate']).toBeUndefined();
  });

  it('shapes Nest HTTP exceptions the same way', () => {
    const { filter, host, replies } = harness();
    filter.catch(new NotFoundException('Cannot GET /nope'), host);
    expect(replies[0]).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
        message: 'Cannot GET /nope',
      },
    });
  });

  it('replaces a JSON parser message, which may quote the body', () => {
    const { filter, host, replies } = harness();
    filter.catch(
      new BadRequestException(`Unexpected token 's', "secret-pass" is not valid JSON`),
      host,
    );
    expect(replies[0].body).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(JSON.stringify(replies[0].body)).not.toContain('secret-pass');
  });

  it('answers a body parser error by its 4xx status with a fixed message', () => {
    const { filter, host, replies } = harness();
    filter.catch(Object.assign(new Error('request entity too large: 2mb'), { status: 413 }), host);
    expect(replies[0].body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is too large',
    });
  });

  it('turns anything else into a bare 500 with a request id, and logs the stack', () => {
    const { filter, host, replies } = harness({ id: 'trace-500', headers: {} });
    const log = jest.spyOn(filter['logger'], 'error').mockImplementation(() => undefined);
    filter.catch(new Error('db password is hunter2'), host);
    expect(replies[0].status).toBe(500);
    expect(replies[0].body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      requestId: 'trace-500',
    });
    expect(log).toHaveBeenCalledWith(
      { requestId: 'trace-500', stack: expect.stringContaining('hunter2') },
      'unhandled error',
    );
  });

  it.each([
    ['a query that timed out, or no free connection in time', 'PROTOCOL_SEQUENCE_TIMEOUT'],
    ['a lost deadlock, after the retries', 'ER_LOCK_DEADLOCK'],
    ['a lock not had in time', 'ER_LOCK_WAIT_TIMEOUT'],
    ['SQLite busy past its timeout', 'SQLITE_BUSY'],
    ['a PostgreSQL serialization failure', '40001'],
  ])('answers %s with 503 and Retry-After, never 500', (_what, code) => {
    const { filter, host, replies, headers } = harness();
    jest.spyOn(filter['logger'], 'warn').mockImplementation(() => undefined);
    const wrapped = Object.assign(new Error('query failed'), {
      driverError: Object.assign(new Error('driver'), { code }),
    });
    filter.catch(wrapped, host);
    expect(replies[0]).toEqual({
      status: 503,
      body: expect.objectContaining({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' }),
    });
    expect(headers['Retry-After']).toBe('5');
  });

  it("always sends the request's id in X-Request-Id, and in the body only when the caller chose it", () => {
    const own = harness({ id: 'abc.123', headers: {} });
    own.filter.catch(new DomainError(ErrorCode.InvalidToken, 'bad'), own.host);
    expect(own.replies[0].body).not.toHaveProperty('requestId');
    expect(own.headers['X-Request-Id']).toBe('abc.123');
    const chosen = harness({ headers: { 'x-request-id': 'from-client_1' } });
    chosen.filter.catch(new NotFoundException(), chosen.host);
    expect(chosen.replies[0].body).toMatchObject({ requestId: 'from-client_1' });
    expect(chosen.headers['X-Request-Id']).toBe('from-client_1');
  });

  it('keeps 4xx bodies identical whatever their fresh ids: two answers that must match do', () => {
    const a = harness();
    const b = harness();
    a.filter.catch(
      new DomainError(ErrorCode.InvalidCredentials, 'Invalid email or password'),
      a.host,
    );
    b.filter.catch(
      new DomainError(ErrorCode.InvalidCredentials, 'Invalid email or password'),
      b.host,
    );
    expect(a.headers['X-Request-Id']).not.toBe(b.headers['X-Request-Id']);
    expect(a.replies[0].body).toEqual(b.replies[0].body);
  });

  it('replaces a hostile X-Request-Id with a fresh UUID, and does not echo it', () => {
    const hostile = harness({ headers: { 'x-request-id': 'a"b\nc' } });
    hostile.filter.catch(new NotFoundException(), hostile.host);
    expect(hostile.headers['X-Request-Id']).toMatch(UUID);
    expect(hostile.replies[0].body).not.toHaveProperty('requestId');
  });
});
