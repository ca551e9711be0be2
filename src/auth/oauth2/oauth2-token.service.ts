import { Injectable } from '@nestjs/common';
import { ClientInfo } from '../../core/client-info';
import { TokenPairResponse } from '../../tokens/dto/token-pair.response';
import { SessionIssuer } from '../../tokens/session-issuer.service';
import { AuthService, isMfaChallenge } from '../auth.service';
import { GrantType, TokenRequestDto } from '../dto/token-request.dto';
import { OAuth2Error } from './oauth2-error';

/** RFC 6749 token endpoint: the password (§4.3) and refresh_token (§6) grants. */
@Injectable()
export class OAuth2TokenService {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionIssuer,
  ) {}

  async exchange(request: TokenRequestDto, client: ClientInfo): Promise<TokenPairResponse> {
    switch (request.grant_type as GrantType) {
      case GrantType.Password: {
        const { username, password } = request;
        if (!username || !password) {
          throw new OAuth2Error('invalid_request', 'username and password are required');
        }
        const user = await this.auth.validateCredentials(username, password, client);
        const result = await this.auth.login(user, client);
        if (isMfaChallenge(result)) {
          // 403, as Auth0 answers it: the grant is right, but not enough on its own.
          throw new OAuth2Error(
            'mfa_required',
            'Two-factor authentication is on: POST the mfa_token with a code to /auth/2fa/verify',
            403,
            { mfa_token: result.mfa_token, expires_in: result.expires_in },
          );
        }
        return result;
      }
      case GrantType.RefreshToken: {
        if (!request.refresh_token) {
          throw new OAuth2Error('invalid_request', 'refresh_token is required');
        }
        return this.sessions.refresh(request.refresh_token, client);
      }
      default:
        throw new OAuth2Error(
          'unsupported_grant_type',
          `grant_type must be ${Object.values(GrantType).join(' or ')}`,
        );
    }
  }
}
