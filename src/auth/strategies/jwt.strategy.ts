import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { INVALID_ACCESS_TOKEN, JWT_STRATEGY } from '../../core/access-token';
import { SigningKeys } from '../../tokens/signing-keys.service';
import { TokenType } from '../../tokens/entities/token.entity';
import { RevocationCheckService } from '../../tokens/revocation-check.service';
import { TokenSigner } from '../../tokens/token-signer';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { VerifiedAccessTokensService } from '../../tokens/verified-access-tokens.service';
import type { AuthUser } from '../../core/auth-user';
import { extractBearerToken } from '../../core/bearer-token.extractor';

/**
 * Bearer access tokens, as passport-jwt strategy `gatehouse-jwt`: jsonwebtoken checks the signature with
 * the key the token's `kid` names (a KeyObject) and the algorithm, issuer and audience pinned
 * (RFC 8725 §3.1); `validate` requires the claims we rely on, then asks the token store whether
 * the `jti` is still live. JwtAuthGuard skips all of it for a token it verified before.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    private readonly signer: TokenSigner,
    private readonly revocationCheck: RevocationCheckService,
    private readonly verified: VerifiedTokenCache,
    private readonly callers: VerifiedAccessTokensService,
    keys: SigningKeys,
  ) {
    const { algorithms, issuer, audience, clockTolerance } = signer.verifyOptions();
    super({
      jwtFromRequest: extractBearerToken,
      secretOrKeyProvider: (_request: Request, token: string, done) => {
        const key = keys.keyForToken(token);
        // @types/passport-jwt predates KeyObject; passport-jwt hands the key to jsonwebtoken 9,
        // which takes one (and, given a string, would parse it again on every verify).
        if (key) done(null, key as unknown as Buffer);
        else done(new Error('header refused or kid unknown'));
      },
      algorithms,
      issuer,
      audience,
      jsonWebTokenOptions: { clockTolerance },
      passReqToCallback: true,
    });
  }

  async validate(request: Request, payload: unknown): Promise<AuthUser<string | number>> {
    const claims =
      typeof payload === 'object' && payload !== null
        ? this.signer.claimsOf(payload as Record<string, unknown>, TokenType.Access)
        : undefined;
    if (!claims) {
      throw new DomainError(
        ErrorCode.InvalidToken,
        INVALID_ACCESS_TOKEN,
        undefined,
        'claims refused',
      );
    }
    const token = extractBearerToken(request);
    if (token) this.verified.set(token, claims);
    await this.revocationCheck.assertActive(claims);
    return this.callers.callerFrom(claims);
  }
}
