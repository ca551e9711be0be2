import { Injectable } from '@nestjs/common';
import { TokenType } from './entities/token.entity';
import { RevocationCheckService } from './revocation-check.service';
import { TokenClaims } from './token-claims';
import { TokenSigner } from './token-signer';

/** RFC 7662 §2.2 response. */
export type IntrospectionResult =
  | { active: false }
  | {
      active: true;
      token_type: 'access_token' | 'refresh_token';
      sub: string;
      jti: string;
      sid: string;
      roles: string[];
      iat: number;
      exp: number;
      iss: string;
      aud: string;
    };

/** Reads a token presented by a client: whose it is, and whether it is live (RFC 7662). */
@Injectable()
export class TokenIntrospectionService {
  constructor(
    private readonly signer: TokenSigner,
    private readonly check: RevocationCheckService,
  ) {}

  /** The verified claims of one of our tokens, access or refresh; undefined for anything else. */
  identify(token: string): TokenClaims | undefined {
    return (
      this.signer.verify(token, TokenType.Access) ?? this.signer.verify(token, TokenType.Refresh)
    );
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const claims = this.identify(token);
    if (!claims || (await this.check.refusal(claims))) return { active: false };
    const { sub, jti, sid, roles, iat, exp, iss, aud, typ } = claims;
    return {
      active: true,
      token_type: typ === TokenType.Access ? 'access_token' : 'refresh_token',
      sub,
      jti,
      sid,
      roles,
      iat,
      exp,
      iss,
      aud,
    };
  }
}
