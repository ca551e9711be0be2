import { httpContext } from '../../../test/support/http-context';
import { AuthGuard } from '@nestjs/passport';
import { LOCAL_STRATEGY } from '../strategies/local.strategy';
import { ErrorCode } from '../../common/errors/domain-error';
import { LocalAuthGuard } from './local-auth.guard';

const context = (body: unknown) => httpContext({ body });

describe('LocalAuthGuard', () => {
  const guard = new LocalAuthGuard();
  const passport = jest.spyOn(AuthGuard(LOCAL_STRATEGY).prototype, 'canActivate');
  beforeEach(() => passport.mockReset().mockResolvedValue(true));

  it('hands a well-formed body to passport', async () => {
    await expect(guard.canActivate(context({ email: 'a@b.co', password: 'pw' }))).resolves.toBe(
      true,
    );
    expect(passport).toHaveBeenCalled();
  });

  it.each([
    ['no body', undefined],
    ['a missing password', { email: 'a@b.co' }],
    ['an extra field', { email: 'a@b.co', password: 'pw', role: 'admin' }],
    ['an object for the email', { email: { $ne: null }, password: 'pw' }],
  ])('refuses %s with VALIDATION_FAILED before passport runs', async (_label, body) => {
    await expect(guard.canActivate(context(body))).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
    });
    expect(passport).not.toHaveBeenCalled();
  });
});
