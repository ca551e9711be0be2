import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../core/auth-user';
import { VerifiedAccessTokens } from '../core/access-token';
import { UsersService } from '../users/users.service';
import { VerifiedTokenCache } from './cache/verified-token.cache';
import { RevocationCheckService } from './revocation-check.service';
import { TokenClaims, toAuthUser } from './token-claims';

/**
 * JwtAuthGuard's fast path: a token verified before skips passport and the signature check; the
 * revocation check runs every time, answered synchronously when the in-process cache already
 * shows the token live.
 */
@Injectable()
export class VerifiedAccessTokensService extends VerifiedAccessTokens {
  constructor(
    private readonly verified: VerifiedTokenCache,
    private readonly revocationCheck: RevocationCheckService,
    private readonly users: UsersService,
  ) {
    super();
  }

  callerOf(
    token: string,
    known?: AuthUser<string | number>,
  ): AuthUser<string | number> | Promise<AuthUser<string | number>> | undefined {
    const claims = this.verified.get(token);
    if (!claims) return undefined;
    if (this.revocationCheck.isLiveInCache(claims)) {
      return known?.tokenId === claims.jti ? known : this.callerFrom(claims);
    }
    return this.revocationCheck
      .assertActive(claims)
      .then(() => (known?.tokenId === claims.jti ? known : this.callerFrom(claims)));
  }

  /** The caller of verified, live claims, with the id as the host types it. */
  callerFrom(claims: TokenClaims): AuthUser<string | number> {
    return toAuthUser(claims, (sub) => this.users.hostId(sub));
  }
}
