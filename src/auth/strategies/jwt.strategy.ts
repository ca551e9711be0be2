import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import type { AllConfig } from '../../config';
import { TokenType } from '../../tokens/entities/token.entity';
import {
  INVALID_ACCESS_TOKEN,
  RevocationCheckService,
} from '../../tokens/revocation-check.service';
import { parseClaims } from '../../tokens/token-claims';
import { AuthUser, toAuthUser } from '../auth-user';
import { VerifiedTokenCache } from '../verified-token.cache';
import { BearerRequest, extractBearerToken } from './bearer-token.extractor';

/**
 * Bearer tokens: passport-jwt checks the signature with the algorithm, issuer and audience pinned
 * (RFC 8725 §3.1), then {@link validate} requires the claims we rely on and asks the token store
 * whether the `jti` is still live.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly leewaySeconds: number;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly revocationCheck: RevocationCheckService,
    private readonly verified: VerifiedTokenCache,
  ) {
    const auth = config.get('auth', { infer: true });
    super({
      jwtFromRequest: extractBearerToken,
      // jsonwebtoken takes a KeyObject (and is ~50x faster with one than with a string secret);
      // @types/passport-jwt only lists string | Buffer.
      secretOrKey: auth.key as unknown as Buffer,
      algorithms: [auth.algorithm],
      issuer: auth.issuer,
      audience: auth.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: auth.clockToleranceSeconds },
      passReqToCallback: true,
    });
    this.leewaySeconds = auth.clockToleranceSeconds;
  }

  async validate(request: BearerRequest, payload: unknown): Promise<AuthUser> {
    const claims = parseClaims(payload, TokenType.Access, {
      now: Date.now(),
      leewaySeconds: this.leewaySeconds,
    });
    if (!claims) {
      throw new DomainError(
        ErrorCode.InvalidToken,
        INVALID_ACCESS_TOKEN,
        undefined,
        'claims missing or not an access token',
      );
    }
    const token = extractBearerToken(request);
    if (token) this.verified.set(token, claims);
    await this.revocationCheck.assertActive(claims);
    return toAuthUser(claims);
  }
}
