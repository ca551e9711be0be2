import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { TokenType } from '../../tokens/entities/token.entity';
import {
  INVALID_ACCESS_TOKEN,
  RevocationCheckService,
} from '../../tokens/revocation-check.service';
import { TokenSigner } from '../../tokens/token-signer';
import { AuthUser, toAuthUser } from '../auth-user';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { BearerPassportStrategy } from './bearer-passport.strategy';
import { UsersService } from '../../users/users.service';
import { BearerRequest, extractBearerToken } from './bearer-token.extractor';

/**
 * Bearer access tokens, as passport strategy `jwt`: the signature with the algorithm, issuer and
 * audience pinned (RFC 8725 §3.1), the claims we rely on, then the token store: is the `jti`
 * still live?
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerPassportStrategy, 'jwt') {
  constructor(
    private readonly signer: TokenSigner,
    private readonly revocationCheck: RevocationCheckService,
    private readonly verified: VerifiedTokenCache,
    private readonly users: UsersService,
  ) {
    super();
  }

  async validate(request: BearerRequest): Promise<AuthUser<string | number>> {
    const token = extractBearerToken(request);
    if (!token)
      throw new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required');
    const claims = this.signer.verify(token, TokenType.Access);
    if (!claims) {
      throw new DomainError(
        ErrorCode.InvalidToken,
        INVALID_ACCESS_TOKEN,
        undefined,
        'signature, header or claims refused',
      );
    }
    this.verified.set(token, claims);
    await this.revocationCheck.assertActive(claims);
    return toAuthUser(claims, (sub) => this.users.hostId(sub));
  }
}
