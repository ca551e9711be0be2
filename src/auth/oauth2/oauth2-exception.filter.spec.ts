import { ArgumentsHost } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { OAuth2Error } from './oauth2-error';
import { OAuth2ExceptionFilter } from './oauth2-exception.filter';

function run(exception: unknown) {
  const out: { body?: unknown; status?: number; headers: Record<string, string> } = { headers: {} };
  const adapterHost = {
    httpAdapter: {
      reply: (_r: unknown, body: unknown, status: number) => Object.assign(out, { body, status }),
      setHeader: (_r: unknown, name: string, value: string) => (out.headers[name] = value),
    },
  } as unknown as HttpAdapterHost;
  const request = { id: 'req-42', headers: {} };
  const host = {
    switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => request }),
  } as unknown as ArgumentsHost;
  new OAuth2ExceptionFilter(adapterHost).catch(exception, host);
  return out;
}

describe('OAuth2ExceptionFilter', () => {
  it('answers an OAuth2 error as RFC 6749 §5.2, uncacheable', () => {
    const out = run(new OAuth2Error('unsupported_grant_type', 'nope'));
    expect(out.status).toBe(400);
    expect(out.body).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'nope',
      statusCode: 400,
    });
    expect(out.headers['Cache-Control']).toBe('no-store');
    expect(out.headers['X-Request-Id']).toBe('req-42');
  });

  it.each([
    ErrorCode.InvalidCredentials,
    ErrorCode.InvalidRefreshToken,
    ErrorCode.RefreshTokenReused,
  ])('maps %s to 400 invalid_grant', (code) => {
    const out = run(new DomainError(code, 'refused'));
    expect(out.status).toBe(400);
    expect(out.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('maps validation errors to invalid_request with the details', () => {
    const out = run(
      new DomainError(ErrorCode.ValidationFailed, 'Validation failed', [
        'grant_type must be a string',
      ]),
    );
    expect(out.body).toEqual({
      error: 'invalid_request',
      error_description: 'grant_type must be a string',
      statusCode: 400,
    });
  });

  it('keeps server errors opaque', () => {
    const out = run(new Error('connection refused to 10.0.0.5'));
    expect(out.status).toBe(500);
    expect(out.body).toMatchObject({ error: 'server_error' });
    expect(JSON.stringify(out.body)).not.toContain('10.0.0.5');
  });
});
