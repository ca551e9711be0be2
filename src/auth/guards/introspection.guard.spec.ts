import { ConfigService } from '@nestjs/config';
import { httpContext } from '../../../test/support/http-context';
import { loadTokensConfig } from '../../config/tokens.config';
import { ErrorCode } from '../../common/errors/domain-error';
import { JwtAuthGuard } from '../../core/guards/jwt-auth.guard';
import { IntrospectionGuard } from './introspection.guard';

const SECRET = 'a-long-client-secret-value';
const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`;

function setup() {
  const config = {
    get: () =>
      loadTokensConfig({ INTROSPECTION_CLIENTS: `rs:${SECRET},other:another-secret-value1` }),
  } as unknown as ConfigService;
  const jwt = { authenticate: jest.fn() };
  const guard = new IntrospectionGuard(jwt as unknown as JwtAuthGuard, config as never);
  const run = (authorization?: string, user?: { roles: string[] }) => {
    const request = { headers: authorization ? { authorization } : {}, user };
    return guard.canActivate(httpContext(request));
  };
  return { jwt, run };
}

describe('IntrospectionGuard', () => {
  it('admits a configured client with the right secret', async () => {
    const { run, jwt } = setup();
    await expect(run(basic(`rs:${SECRET}`))).resolves.toBe(true);
    expect(jwt.authenticate).not.toHaveBeenCalled();
  });

  it('decodes form-encoded credentials (RFC 6749 §2.3.1)', async () => {
    const { run } = setup();
    await expect(run(basic(`r%73:${encodeURIComponent(SECRET)}`))).resolves.toBe(true);
  });

  it.each([
    ['a wrong secret', basic('rs:a-long-client-secret-valuX')],
    ["another client's secret", basic('rs:another-secret-value1')],
    ['an unknown client', basic(`nobody:${SECRET}`)],
    ['no colon', basic('rs')],
    ['bad percent-encoding', basic('rs:%E0%A4%A')],
  ])('refuses %s with INVALID_CLIENT', async (_label, header) => {
    const { run } = setup();
    await expect(run(header)).rejects.toMatchObject({ code: ErrorCode.InvalidClient });
  });

  it('refuses a request without credentials', async () => {
    const { run } = setup();
    await expect(run()).rejects.toMatchObject({ code: ErrorCode.InvalidClient });
  });

  it('admits an admin bearer, refuses any other user', async () => {
    const admin = setup();
    await expect(admin.run('Bearer x', { roles: ['user', 'admin'] })).resolves.toBe(true);
    expect(admin.jwt.authenticate).toHaveBeenCalled();
    const user = setup();
    await expect(user.run('Bearer x', { roles: ['user'] })).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
  });
});
