import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { signCompact, verifyCompact } from '../keys/jws';
import { SigningKeys } from '../keys/signing-keys.service';
import { TokenType } from './entities/token.entity';
import { MAX_TOKEN_LENGTH, TokenClaims, checkRegisteredClaims, parseClaims } from './token-claims';

/**
 * Signs and verifies Gatehouse JWTs. The algorithm, issuer and audience come from configuration
 * and are pinned on both sides (RFC 8725 §3.1); nothing in a token's header can change them, and
 * its `kid` can only choose among the keys SigningKeys publishes.
 */
@Injectable()
export class TokenSigner {
  private readonly clock: { issuer: string; audience: string; leewaySeconds: number };

  constructor(
    private readonly keys: SigningKeys,
    config: GatehouseConfig,
  ) {
    const auth = config.get('auth', { infer: true });
    this.clock = {
      issuer: auth.issuer,
      audience: auth.audience,
      leewaySeconds: auth.clockToleranceSeconds,
    };
  }

  sign(claims: TokenClaims): string {
    return signCompact({ ...claims }, this.keys.signing());
  }

  /** The claims of a valid token of the expected type, or undefined: never throws on bad input. */
  verify(token: string, expected: TokenType): TokenClaims | undefined {
    const now = Date.now();
    const payload = this.verifyPayload(token, now);
    return (
      payload && parseClaims(payload, expected, { now, leewaySeconds: this.clock.leewaySeconds })
    );
  }

  /**
   * Signs a token of another kind (the mfa_token) for an audience of its own: a resource server
   * that verifies Gatehouse tokens from the JWKS, checking `aud` as it must, refuses it whatever
   * its `typ`. `iss`, `iat` and `exp` are added here.
   */
  signOther(
    claims: { typ: string; sub: string; jti: string },
    audience: string,
    ttlSeconds: number,
    now = Date.now(),
  ): string {
    const iat = Math.floor(now / 1000);
    const payload = {
      ...claims,
      iat,
      exp: iat + ttlSeconds,
      iss: this.clock.issuer,
      aud: audience,
    };
    return signCompact(payload, this.keys.signing());
  }

  /**
   * The payload of a token whose signature, issuer, audience (the API's unless another is named)
   * and lifetime are valid, of any `typ`: callers check the type they expect. Never throws on
   * bad input.
   */
  verifyPayload(
    token: string,
    now = Date.now(),
    audience = this.clock.audience,
  ): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      return undefined;
    const payload = verifyCompact(token, this.keys.algorithm, (kid) =>
      this.keys.verificationKey(kid, now),
    );
    if (!payload || !checkRegisteredClaims(payload, { ...this.clock, audience, now }))
      return undefined;
    return payload;
  }
}
