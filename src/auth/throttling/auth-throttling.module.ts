import { ExecutionContext, Module } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { ThrottlerModule } from '@nestjs/throttler';
import { RedisService } from '../../redis/redis.service';
import { TokenType } from '../../tokens/entities/token.entity';
import { TokenSigner } from '../../tokens/token-signer';
import { TokensModule } from '../../tokens/tokens.module';
import { normalizeEmail } from '../../users/users.service';
import { MFA_TOKEN_AUDIENCE, MFA_TOKEN_TYPE } from '../../account/mfa/mfa-token';
import { AuthThrottlerGuard } from '../../throttling/auth-throttler.guard';
import { RedisThrottlerStorage } from '../../throttling/redis-throttler.storage';

interface RequestLike {
  ip?: string;
  body?: Record<string, unknown>;
  /** The bearer token's user, set by JwtAuthGuard before this guard runs. */
  user?: { sub?: unknown };
  [ACCOUNT]?: string | null;
}

const ACCOUNT = Symbol('gatehouse:throttled-account');

/** What an address looks like: enough to tell a typed email from garbage, no more. */
const EMAIL_LIKE = /^[^@\s]{1,64}@[^@\s]{1,255}$/;

/**
 * Whose budget a request spends on the `account` limit: the email (login, register, resend,
 * forgot) or username (password grant) when it looks like an address, the user of a valid
 * refresh token or mfa_token, or the bearer token's user. Null for a request that names no
 * account (a reset or verification token, a malformed username): it spends the `anonymous`
 * budget instead, so garbage neither spends someone else's account budget nor the address's.
 * Worked out once per request.
 */
function accountOf(req: RequestLike, signer: TokenSigner): string | null {
  if (req[ACCOUNT] !== undefined) return req[ACCOUNT];
  return (req[ACCOUNT] = namedAccount(req, signer));
}

function namedAccount(req: RequestLike, signer: TokenSigner): string | null {
  const body = req.body ?? {};
  // As the route will read it: the first address given, in its stored (canonical) form.
  const given = [body.email, body.username].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  const email = given === undefined ? undefined : normalizeEmail(given);
  if (email !== undefined && EMAIL_LIKE.test(email)) return `email:${email}`;
  const refresh = body.refresh_token;
  if (typeof refresh === 'string') {
    const claims = signer.verify(refresh, TokenType.Refresh);
    if (claims) return `user:${claims.sub}`;
  }
  const mfa = body.mfa_token;
  if (typeof mfa === 'string') {
    const payload = signer.verifyPayload(mfa, Date.now(), MFA_TOKEN_AUDIENCE);
    if (payload?.typ === MFA_TOKEN_TYPE && typeof payload.sub === 'string')
      return `user:${payload.sub}`;
  }
  if (typeof req.user?.sub === 'string') return `user:${req.user.sub}`;
  return null;
}

/**
 * Brute-force limits for login, the token endpoint, refresh and registration: per client address
 * (as Express sees it: X-Forwarded-For counts only behind a TRUST_PROXY) and per account, in Redis
 * when configured so that every instance shares them. (The account lockout is UsersModule's.)
 */
@Module({
  imports: [
    TokensModule,
    ThrottlerModule.forRootAsync({
      imports: [TokensModule],
      inject: [GatehouseConfig, RedisService, TokenSigner],
      useFactory: (config: GatehouseConfig, redis: RedisService, signer: TokenSigner) => {
        const throttle = config.get('throttle', { infer: true });
        const window = throttle.windowSeconds * 1000;
        // A throttler's own skipIf replaces the common one: each says "disabled" itself.
        const names = (context: ExecutionContext) =>
          accountOf(context.switchToHttp().getRequest<RequestLike>(), signer) !== null;
        return {
          throttlers: [
            // Requests that name an account: per address, and per account.
            {
              name: 'ip',
              limit: throttle.perIp,
              ttl: window,
              skipIf: (c) => !throttle.enabled || !names(c),
            },
            {
              name: 'account',
              limit: throttle.perAccount,
              ttl: window,
              getTracker: (req) => accountOf(req as RequestLike, signer) ?? '',
              skipIf: (c) => !throttle.enabled || !names(c),
            },
            // Requests that name none: their own budget per address.
            {
              name: 'anonymous',
              limit: throttle.perAnonymous,
              ttl: window,
              skipIf: (c) => !throttle.enabled || names(c),
            },
          ],
          storage: redis.enabled ? new RedisThrottlerStorage(redis) : undefined,
          skipIf: () => !throttle.enabled,
          // One budget per address (and per account) across all these routes, not one per route:
          // login and the password grant guess the same passwords.
          generateKey: (_context, tracker, name) => `${name}:${tracker}`,
          // Retry-After comes from AuthThrottlerGuard; the stock headers carry throttler names.
          setHeaders: false,
        };
      },
    }),
  ],
  providers: [AuthThrottlerGuard],
  exports: [AuthThrottlerGuard, ThrottlerModule],
})
export class AuthThrottlingModule {}
