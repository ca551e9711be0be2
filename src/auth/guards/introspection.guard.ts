import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { ROLE_ADMIN } from '../../users/entities/user.entity';
import type { Caller } from '../../core/auth-user';
import { JwtAuthGuard } from '../../core/guards/jwt-auth.guard';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who may introspect tokens (RFC 7662 §2.1): a client configured in INTROSPECTION_CLIENTS,
 * authenticating with HTTP Basic (RFC 6749 §2.3.1), or a signed-in admin with a bearer token.
 */
@Injectable()
export class IntrospectionGuard implements CanActivate {
  private readonly clients: Map<string, string>;

  constructor(
    private readonly jwtGuard: JwtAuthGuard,
    config: GatehouseConfig,
  ) {
    this.clients = config.get('tokens', { infer: true }).introspectionClients;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; user?: Caller }>();
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^basic /i.test(header)) {
      if (this.isClient(header.slice(6).trim())) return true;
      throw new DomainError(ErrorCode.InvalidClient, 'Client authentication failed');
    }
    if (typeof header !== 'string') {
      throw new DomainError(ErrorCode.InvalidClient, 'Client authentication is required');
    }
    await this.jwtGuard.authenticate(context);
    if (!request.user?.roles.includes(ROLE_ADMIN)) {
      throw new DomainError(ErrorCode.Forbidden, 'Introspection requires a client or an admin');
    }
    return true;
  }

  private isClient(encoded: string): boolean {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    let id: string;
    let secret: string;
    try {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return false;
    }
    const expected = this.clients.get(id);
    // Compare digests: equal length always, so the comparison time tells nothing.
    const match = timingSafeEqual(digest(secret), digest(expected ?? `\0${secret}`));
    return expected !== undefined && match;
  }
}
