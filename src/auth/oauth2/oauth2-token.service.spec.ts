import { ErrorCode, DomainError } from '../../common/errors/domain-error';
import type { SessionIssuer } from '../../tokens/session-issuer.service';
import { AuthService } from '../auth.service';
import { OAuth2TokenService } from './oauth2-token.service';

const pair = {
  access_token: 'a',
  refresh_token: 'r',
  token_type: 'Bearer' as const,
  expires_in: 900,
  refresh_expires_in: 3600,
};
const client = { userAgent: null, ip: null };

describe('OAuth2TokenService', () => {
  const auth = { validateCredentials: jest.fn(), login: jest.fn() };
  const sessions = { refresh: jest.fn() };
  const service = new OAuth2TokenService(
    auth as unknown as AuthService,
    sessions as unknown as SessionIssuer,
  );
  beforeEach(() => jest.resetAllMocks());

  it('password grant: checks the credentials and logs in', async () => {
    auth.validateCredentials.mockResolvedValue({ id: 'u' });
    auth.login.mockResolvedValue(pair);
    await expect(
      service.exchange({ grant_type: 'password', username: 'a@b.co', password: 'pw' }, client),
    ).resolves.toBe(pair);
    // With the client, so that a failure is audited with its address.
    expect(auth.validateCredentials).toHaveBeenCalledWith('a@b.co', 'pw', client);
  });

  it('password grant: missing fields are invalid_request, before any credential check', async () => {
    await expect(
      service.exchange({ grant_type: 'password', username: 'a@b.co' }, client),
    ).rejects.toMatchObject({
      error: 'invalid_request',
    });
    expect(auth.validateCredentials).not.toHaveBeenCalled();
  });

  it('password grant: bad credentials propagate for the filter to map to invalid_grant', async () => {
    const refusal = new DomainError(ErrorCode.InvalidCredentials, 'no');
    auth.validateCredentials.mockRejectedValue(refusal);
    await expect(
      service.exchange({ grant_type: 'password', username: 'a', password: 'b' }, client),
    ).rejects.toBe(refusal);
  });

  it('refresh_token grant: rotates', async () => {
    sessions.refresh.mockResolvedValue(pair);
    await expect(
      service.exchange({ grant_type: 'refresh_token', refresh_token: 'rt' }, client),
    ).resolves.toBe(pair);
    expect(sessions.refresh).toHaveBeenCalledWith('rt', client);
  });

  it('refresh_token grant without the token is invalid_request', async () => {
    await expect(service.exchange({ grant_type: 'refresh_token' }, client)).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });

  it('any other grant is unsupported_grant_type', async () => {
    await expect(
      service.exchange({ grant_type: 'client_credentials' }, client),
    ).rejects.toMatchObject({
      error: 'unsupported_grant_type',
    });
  });
});
