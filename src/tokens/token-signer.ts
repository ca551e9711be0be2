import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { JwtVerifyOptions } from '@nestjs/jwt';
import { GatehouseConfig } from '../config/gatehouse-config';
import { SigningKeys } from './signing-keys.service';
import { GATEHOUSE_JWT } from './keys.module';
import { TokenType } from './entities/token.entity';
import { MAX_TOKEN_LENGTH } from '../core/access-token';
import { TokenClaims, parseClaims, requireRegisteredClaims } from './token-claims';

/** The options both verifiers (JwtService and passport-jwt) are given. */
export interface PinnedVerifyOptions {
  algorithms: NonNullable<JwtVerifyOptions['algorithms']>;
  issuer: string;
  audience: string;
  clockTolerance: number;
}

/**
 * Signs and verifies Gatehouse JWTs with @nestjs/jwt. The algorithm, issuer and audience come
 * from configuration and are pinned on both sides (RFC 8725 §3.1); nothing in a token's header
 * can change them, and its `kid` can only choose among the keys SigningKeys publishes. Bearer
 * tokens on requests go through passport-jwt with the same options ({@link verifyOptions}).
 */
@Injectable()
export class TokenSigner {
  private readonly pinned: { issuer: string; audience: string; leewaySeconds: number };

  constructor(
    private readonly keys: SigningKeys,
    @Inject(GATEHOUSE_JWT) private readonly jwt: JwtService,
    config: GatehouseConfig,
  ) {
    const auth = config.get('auth', { infer: true });
    this.pinned = {
      issuer: auth.issuer,
      audience: auth.audience,
      leewaySeconds: auth.clockToleranceSeconds,
    };
  }

  sign(claims: TokenClaims): string {
    return this.signPayload({ ...claims });
  }

  /** The claims of a valid token of the expected type, or undefined: never throws on bad input. */
  verify(token: string, expected: TokenType): TokenClaims | undefined {
    const now = Date.now();
    // verifyPayload has required the registered claims already.
    const payload = this.verifyPayload(token, now);
    return (
      payload && parseClaims(payload, expected, { now, leewaySeconds: this.pinned.leewaySeconds })
    );
  }

  /** The claims of a payload whose signature was verified, if it is a token of `expected` type. */
  claimsOf(
    payload: Record<string, unknown>,
    expected: TokenType,
    now = Date.now(),
  ): TokenClaims | undefined {
    if (!requireRegisteredClaims(payload)) return undefined;
    return parseClaims(payload, expected, { now, leewaySeconds: this.pinned.leewaySeconds });
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
    return this.signPayload({
      ...claims,
      iat,
      exp: iat + ttlSeconds,
      iss: this.pinned.issuer,
      aud: audience,
    });
  }

  /**
   * The payload of a token whose signature, issuer, audience (the API's unless another is named)
   * and lifetime are valid, of any `typ`: callers check the type they expect. Never throws on
   * bad input.
   */
  verifyPayload(
    token: string,
    now = Date.now(),
    audience = this.pinned.audience,
  ): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      return undefined;
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        ...this.verifyOptions(audience),
        clockTimestamp: now / 1000,
      });
    } catch {
      return undefined;
    }
    const claims = payload as Record<string, unknown>;
    return requireRegisteredClaims(claims) ? claims : undefined;
  }

  /**
   * What jsonwebtoken is told to require: one algorithm, our issuer, the audience. It checks
   * `exp` only when present, so {@link requireRegisteredClaims} demands it after (`nbf` stays
   * optional: checked when present).
   */
  verifyOptions(audience = this.pinned.audience): PinnedVerifyOptions {
    return {
      algorithms: [this.keys.algorithm],
      issuer: this.pinned.issuer,
      audience,
      clockTolerance: this.pinned.leewaySeconds,
    };
  }

  private signPayload(payload: Record<string, unknown>): string {
    const kid = this.keys.signingKid();
    // jsonwebtoken writes the header: alg, typ JWT, and the kid the key provider signs with.
    return this.jwt.sign(payload, {
      algorithm: this.keys.algorithm,
      ...(kid !== undefined ? { keyid: kid } : {}),
    });
  }
}
