import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { CookieConfig } from '../../config/account.config';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { TokenPairResponse } from '../../tokens/dto/token-pair.response';
import { MOUNTED_ROUTES } from '../routes';
import type { MountedRoutes } from '../routes';

/** The bits of Express's request and Fastify's that cookie mode reads. */
export interface CookieRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** Express's `res.header()` and Fastify's `reply.header()` share this shape. */
export interface CookieResponse {
  header(name: string, value: string): unknown;
}

/** What a login or refresh answers in cookie mode: the refresh token went into the cookie. */
export type AccessTokenResponse = Omit<TokenPairResponse, 'refresh_token'>;

/**
 * Cookie mode (AUTH_COOKIE_MODE): the refresh token lives in an httpOnly cookie that page scripts
 * cannot read, so an XSS cannot steal the session; SameSite=Strict and the Origin check of
 * CookieOriginGuard keep other sites from using it. Path=/auth (under the host's global prefix
 * and the mount prefix, if any): the browser sends it to the auth endpoints only, never to the
 * API's other routes.
 */
@Injectable()
export class RefreshCookie {
  private readonly config: CookieConfig;
  private readonly maxAgeSeconds: number;

  constructor(
    config: GatehouseConfig,
    @Optional() @Inject(MOUNTED_ROUTES) private readonly routes?: MountedRoutes,
    @Optional() private readonly application?: ApplicationConfig,
  ) {
    this.config = config.get('account', { infer: true }).cookie;
    this.maxAgeSeconds = config.get('auth', { infer: true }).refreshTtlSeconds;
  }

  /** Read when a cookie is set: the host sets its global prefix after the module is built. */
  private get path(): string {
    const segments = [this.application?.getGlobalPrefix(), this.routes?.prefix, 'auth'];
    return `/${segments.filter((segment) => segment).join('/')}`.replace(/\/{2,}/g, '/');
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** The refresh token the request carries in our cookie, if any. */
  read(request: CookieRequest): string | undefined {
    const header = request.headers.cookie;
    const value = Array.isArray(header) ? header.join('; ') : header;
    if (!value) return undefined;
    for (const pair of value.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0 && pair.slice(0, at).trim() === this.config.name) {
        const token = pair.slice(at + 1).trim();
        return token.length > 0 ? token : undefined;
      }
    }
    return undefined;
  }

  /**
   * The refresh token to use: the body's, else (cookie mode) the cookie's. Without either, bearer
   * mode answers as validation always did, cookie mode as for a missing session.
   */
  tokenOf(request: CookieRequest, fromBody: string | undefined): string {
    const token = fromBody ?? (this.enabled ? this.read(request) : undefined);
    if (token !== undefined) return token;
    if (this.enabled) {
      throw new DomainError(
        ErrorCode.InvalidRefreshToken,
        'No refresh token: the session cookie is missing',
      );
    }
    throw new DomainError(ErrorCode.ValidationFailed, 'Validation failed', [
      'refresh_token must be a string',
    ]);
  }

  /** In cookie mode, moves the refresh token from the answer into the cookie. */
  deliver(
    response: CookieResponse,
    pair: TokenPairResponse,
  ): TokenPairResponse | AccessTokenResponse {
    if (!this.enabled) return pair;
    const { refresh_token: refreshToken, ...rest } = pair;
    response.header('Set-Cookie', this.serialize(refreshToken, this.maxAgeSeconds));
    return rest;
  }

  /** Tells the browser to forget the cookie (logout). */
  clear(response: CookieResponse): void {
    if (this.enabled) response.header('Set-Cookie', this.serialize('', 0));
  }

  private serialize(value: string, maxAgeSeconds: number): string {
    const secure = this.config.secure ? '; Secure' : '';
    return `${this.config.name}=${value}; Path=${this.path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
  }
}
