import { Test, TestingModule } from '@nestjs/testing';
import { unitImports } from '../../test/support/unit';
import { AuditLog } from '../common/audit/audit-log.service';
import { BackgroundTasks } from '../common/background-tasks.service';
import { ErrorCode } from '../common/errors/domain-error';
import { TokenType } from '../tokens/entities/token.entity';
import { RevocationCheckService } from '../tokens/revocation-check.service';
import { TokenSigner } from '../tokens/token-signer';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { AuthService, LoginResult, isMfaChallenge } from './auth.service';
import { RegistrationService } from './registration.service';
import { PasswordHasher } from '../users/password-hasher.service';
import { AccountModule } from '../account/account.module';
import { AccountSessionsService } from '../tokens/account-sessions.service';
import { SessionIssuer } from '../tokens/session-issuer.service';

const client = { userAgent: null, ip: null };

/** These accounts have no second factor: login gives the pair itself. */
function pairOf(result: LoginResult): TokenPairResponse {
  if (isMfaChallenge(result)) throw new Error('unexpected two-factor challenge');
  return result;
}

describe('AuthService, with registration and the session it opens', () => {
  let moduleRef: TestingModule;
  let auth: AuthService;
  let registration: RegistrationService;
  let passwords: PasswordHasher;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), UsersModule, TokensModule, AccountModule],
      providers: [AuthService, RegistrationService],
    }).compile();
    await moduleRef.init();
    auth = moduleRef.get(AuthService);
    registration = moduleRef.get(RegistrationService);
    passwords = moduleRef.get(PasswordHasher);
  });
  afterEach(() => moduleRef.close());

  it('registers with a bcrypt hash and returns no hash', async () => {
    const user = await registration.register('ada@example.com', 'long password', client);
    expect(user).not.toHaveProperty('passwordHash');
    const stored = await moduleRef.get(UsersService).findByEmail('ada@example.com');
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
  });

  it('validates the right password and refuses a wrong one and an unknown email alike', async () => {
    await registration.register('ada@example.com', 'long password', client);
    await expect(
      auth.validateCredentials('ADA@example.com', 'long password'),
    ).resolves.toMatchObject({
      email: 'ada@example.com',
    });
    const wrong = await auth
      .validateCredentials('ada@example.com', 'wrong password')
      .catch((e: unknown) => e);
    const unknown = await auth
      .validateCredentials('bob@example.com', 'long password')
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: ErrorCode.InvalidCredentials });
    expect(unknown).toEqual(wrong);
  });

  it('audits a failed login alike for an unknown email and a wrong password, without either', async () => {
    await registration.register('ada@example.com', 'long password', client);
    // The verification mail's audit line comes from a background task: let it pass first.
    await moduleRef.get(BackgroundTasks).idle();
    const record = jest
      .spyOn(moduleRef.get(AuditLog), 'record')
      .mockImplementation(() => undefined);
    const from = { userAgent: 'spec', ip: '192.0.2.7' };
    await auth.validateCredentials('ada@example.com', 'wrong password', from).catch(() => null);
    await auth.validateCredentials('bob@example.com', 'wrong password', from).catch(() => null);
    const expected = ['login.failure', { ...from, reason: 'invalid_credentials' }];
    expect(record.mock.calls).toEqual([expected, expected]);
  });

  it('compares against a dummy hash when the email is unknown', async () => {
    const spy = jest.spyOn(passwords, 'verifyAgainstNothing');
    await expect(auth.validateCredentials('nobody@example.com', 'x')).rejects.toBeDefined();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('names a disabled account only after its password is proven', async () => {
    const { id } = await registration.register('ada@example.com', 'long password', client);
    await moduleRef.get(UsersService).setDisabled(id, true);
    await expect(
      auth.validateCredentials('ada@example.com', 'wrong password'),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidCredentials,
    });
    await expect(
      auth.validateCredentials('ada@example.com', 'long password'),
    ).rejects.toMatchObject({
      code: ErrorCode.AccountDisabled,
    });
  });

  it('logs out a session: its access token stops passing the store check', async () => {
    const { id } = await registration.register('ada@example.com', 'long password', client);
    const user = await auth.validateCredentials('ada@example.com', 'long password');
    const pair = pairOf(await auth.login(user, client));
    const claims = moduleRef.get(TokenSigner).verify(pair.access_token, TokenType.Access);
    if (!claims) throw new Error('no claims');
    const check = moduleRef.get(RevocationCheckService);
    await expect(check.assertActive(claims)).resolves.toBeUndefined();
    await moduleRef.get(AccountSessionsService).logout({
      sub: id,
      roles: [],
      claims: {},
      tokenId: claims.jti,
      sessionId: claims.sid,
      expiresAt: claims.exp,
    });
    await expect(check.assertActive(claims)).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
    });
    await expect(
      moduleRef.get(SessionIssuer).refresh(pair.refresh_token, client),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidRefreshToken,
    });
  });
});
