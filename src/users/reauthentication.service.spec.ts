import { Test, TestingModule } from '@nestjs/testing';
import { sqliteMemoryModule, testAuthConfig, testConfigModule } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { AuditModule } from '../common/audit/audit.module';
import { DomainError, ErrorCode, ReauthenticationRequired } from '../common/errors/domain-error';
import { RedisModule } from '../redis/redis.module';
import { UserStoreModule } from './user-store.module';
import { UsersModule } from './users.module';
import { UsersService } from './users.service';
import type { Caller } from '../core/auth-user';
import { PasswordHasher } from './password-hasher.service';
import { Reauthentication } from './reauthentication.service';
import { LoginLockoutService } from './login-lockout.service';

describe('Reauthentication', () => {
  const PASSWORD = 'the right password';
  let moduleRef: TestingModule;
  let reauth: Reauthentication;
  let warned: jest.SpyInstance;
  let user: { id: string; email: string };
  const secondsAgo = (seconds: number) => Math.floor(Date.now() / 1000) - seconds;
  const caller = (authTime?: number): Caller => ({
    sub: user.id,
    roles: ['user'],
    tokenId: 'jti',
    sessionId: 'sid',
    expiresAt: secondsAgo(-900),
    claims: {},
    ...(authTime !== undefined ? { authTime } : {}),
  });

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ...(await testConfigModule(testAuthConfig({ reauthMaxAgeSeconds: 60 }))),
        sqliteMemoryModule(),
        UserStoreModule.forRoot(),
        RedisModule,
        AuditModule,
        UsersModule,
      ],
    }).compile();
    await moduleRef.init();
    reauth = moduleRef.get(Reauthentication);
    warned = jest.spyOn(moduleRef.get(AuditLog), 'warn');
    const passwordHash = await moduleRef.get(PasswordHasher).hash(PASSWORD);
    user = await moduleRef.get(UsersService).create({ email: 'ada@example.com', passwordHash });
  });
  afterEach(async () => {
    await moduleRef.get(PasswordHasher).onApplicationShutdown();
    await moduleRef.close();
  });

  it('takes a sign-in within the window as proof', async () => {
    await expect(reauth.confirm(caller(secondsAgo(59)), undefined)).resolves.toMatchObject({
      id: user.id,
    });
  });

  it('asks again once the sign-in is older, or unknown (a token from before auth_time)', async () => {
    for (const authTime of [secondsAgo(61), undefined]) {
      const error = await reauth.confirm(caller(authTime), undefined).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthenticationRequired);
      expect(error).toMatchObject({ code: ErrorCode.ReauthenticationRequired, maxAgeSeconds: 60 });
    }
  });

  it('checks a password when one is given, however recent the sign-in', async () => {
    await expect(reauth.confirm(caller(secondsAgo(1)), PASSWORD)).resolves.toMatchObject({
      id: user.id,
    });
    const wrong = await reauth
      .confirm(caller(secondsAgo(1)), 'not the password')
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DomainError);
    expect(wrong).toMatchObject({ code: ErrorCode.WrongCurrentPassword });
    expect(warned).toHaveBeenCalledWith(
      'reauth.failure',
      expect.objectContaining({ userId: user.id, reason: 'invalid_credentials' }),
    );
  });

  it('locks the account after as many wrong passwords as a login would, and names no email in the audit', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(reauth.confirm(caller(), `guess ${i}`)).rejects.toMatchObject({
        code: ErrorCode.WrongCurrentPassword,
      });
    }
    await expect(reauth.confirm(caller(), PASSWORD)).rejects.toMatchObject({
      code: ErrorCode.TooManyRequests,
    });
    // The same lockout as login's: the password form is locked too.
    await expect(moduleRef.get(LoginLockoutService).begin(user.email)).rejects.toMatchObject({
      code: ErrorCode.TooManyRequests,
    });
    expect(JSON.stringify(warned.mock.calls)).not.toContain(user.email);
  });
});
