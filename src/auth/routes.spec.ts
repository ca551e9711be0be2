import { ROUTE_GROUPS, mountRoutes } from './routes';

describe('mountRoutes', () => {
  it('mounts everything at the root by default', () => {
    expect(mountRoutes()).toEqual({ prefix: '', groups: [...ROUTE_GROUPS] });
  });

  it('takes the prefix without its slashes, nested paths included', () => {
    expect(mountRoutes({ prefix: '/identity/' }).prefix).toBe('identity');
    expect(mountRoutes({ prefix: 'api/v1/auth' }).prefix).toBe('api/v1/auth');
  });

  it('leaves out the excluded groups', () => {
    expect(mountRoutes({ exclude: ['admin', 'jwks'] }).groups).toEqual([
      'two-factor',
      'sessions',
      'introspection',
      'account-mails',
      'passkeys',
    ]);
  });

  it('stops the boot on a prefix that is not a path, naming the option', () => {
    expect(() => mountRoutes({ prefix: 'a b' })).toThrow(/routes\.prefix "a b"/);
    expect(() => mountRoutes({ prefix: 'a//b' })).toThrow(/routes\.prefix/);
    expect(() => mountRoutes({ prefix: ':id' })).toThrow(/routes\.prefix/);
  });

  it('stops the boot on an unknown group, listing the known ones', () => {
    expect(() => mountRoutes({ exclude: ['admins' as never] })).toThrow(
      /routes\.exclude has unknown group\(s\) admins; the groups are admin, two-factor/,
    );
  });
});
