import { DynamicModule, Module } from '@nestjs/common';
import { AccountConfig, MailConfig, loadAccountConfig, loadMailConfig } from './account.config';
import { AuthConfig, loadAuthConfig } from './auth.config';
import { ThrottleConfig, loadThrottleConfig } from './throttle.config';
import { TokensConfig, loadTokensConfig } from './tokens.config';
import { loadRuntimeConfig } from './runtime.config';
import type { JwsAlgorithm } from '../keys/jws';

/**
 * How an application configures Gatehouse's AuthModule (`AuthModule.forRoot` or
 * `forRootAsync`). The common settings are typed; anything else goes in `settings` under its
 * environment variable name (see .env.example). Everything is validated as the environment is,
 * and a bad value stops the boot naming the setting.
 */
export interface GatehouseAuthOptions {
  jwt?: {
    algorithm?: JwsAlgorithm;
    /** HS256 secret, at least 32 bytes. */
    secret?: string;
    /** Key pairs for EdDSA, ES256, RS256 (see `npm run keys:rotate`). */
    keysDir?: string;
    issuer?: string;
    audience?: string;
    /** Durations such as `900`, `15m`, `14d`. */
    accessTtl?: string;
    refreshTtl?: string;
  };
  bcryptCost?: number;
  /** 32 bytes (hex or base64) sealing TOTP secrets at rest; required in production. */
  mfaEncryptionKey?: string;
  mail?: {
    /** `smtp://…` or `smtps://…`; without it mails are .eml files in `DATA_DIR/outbox`. */
    smtpUrl?: string;
    from?: string;
  };
  /** Where the application's pages live: mailed links point there. */
  appUrl?: string;
  /** Shares revocations between instances; without it each instance keeps its own cache. */
  redisUrl?: string;
  /** Any other setting by environment variable name, e.g. `{ RATE_LIMIT_IP: '30' }`. */
  settings?: Record<string, string | undefined>;
  /**
   * Guard every route of the application (JwtAuthGuard then RolesGuard, `@Public()` to opt out).
   * Default true. With false, the application guards its own routes with
   * `@UseGuards(JwtAuthGuard, RolesGuard)`; Gatehouse's routes are guarded either way.
   */
  globalGuards?: boolean;
}

export interface GatehouseSettings {
  auth: AuthConfig;
  tokens: TokensConfig;
  throttle: ThrottleConfig;
  account: AccountConfig;
  mail: MailConfig;
}

/** The settings Gatehouse's services read, resolved once from the options. */
export class GatehouseConfig {
  private constructor(private readonly values: GatehouseSettings) {}

  /** Settings already resolved (tests, and entry points that loaded the environment). */
  static of(settings: GatehouseSettings): GatehouseConfig {
    return new GatehouseConfig(settings);
  }

  static from(options: GatehouseAuthOptions = {}): GatehouseConfig {
    const env = toEnvironment(options);
    return new GatehouseConfig({
      auth: loadAuthConfig(env),
      tokens: loadTokensConfig(env),
      throttle: loadThrottleConfig(env),
      account: loadAccountConfig(env),
      mail: loadMailConfig(env),
    });
  }

  /** Same call shape as `ConfigService.get(namespace, { infer: true })`. */
  get<K extends keyof GatehouseSettings>(key: K, _options?: { infer: true }): GatehouseSettings[K] {
    return this.values[key];
  }
}

function toEnvironment(options: GatehouseAuthOptions): NodeJS.ProcessEnv {
  const { jwt = {}, mail = {} } = options;
  const typed: Record<string, string | undefined> = {
    // Whether this is production is the process's, not the options': its secrets get no fallback.
    NODE_ENV: options.settings?.NODE_ENV ?? process.env.NODE_ENV,
    MFA_ENCRYPTION_KEY: options.mfaEncryptionKey,
    SMTP_URL: mail.smtpUrl,
    MAIL_FROM: mail.from,
    APP_URL: options.appUrl,
    JWT_ALGORITHM: jwt.algorithm,
    JWT_SECRET: jwt.secret,
    JWT_KEYS_DIR: jwt.keysDir,
    JWT_ISSUER: jwt.issuer,
    JWT_AUDIENCE: jwt.audience,
    JWT_ACCESS_TTL: jwt.accessTtl,
    JWT_REFRESH_TTL: jwt.refreshTtl,
    BCRYPT_COST: options.bcryptCost?.toString(),
    REDIS_URL: options.redisUrl,
  };
  const defined = Object.entries(typed).filter(([, value]) => value !== undefined);
  return { ...options.settings, ...Object.fromEntries(defined) };
}

/**
 * Checks Gatehouse's settings as AuthModule will at boot, for an entry point that wants a bad
 * one to stop it before Nest starts. Throws ConfigValidationError naming every bad setting; in
 * production a missing JWT secret or MFA key is one (development generates both and says so).
 */
export function validateGatehouseSettings(options: GatehouseAuthOptions = {}): void {
  const env = toEnvironment(options);
  loadTokensConfig(env);
  loadThrottleConfig(env);
  loadMailConfig(env);
  const account = loadAccountConfig(env);
  // In development these would generate the missing secrets, and say so; that is AuthModule's
  // to do, at boot, in the application's log. In production they only check.
  if (loadRuntimeConfig(env).isProduction) {
    loadAuthConfig(env);
    account.mfa.encryptionKey();
  }
}

/**
 * GatehouseConfig for entry points that use Gatehouse's services without AuthModule (the
 * cleanup CLI, unit tests).
 */
@Module({})
export class GatehouseConfigModule {
  static register(config: GatehouseConfig): DynamicModule {
    return {
      module: GatehouseConfigModule,
      global: true,
      providers: [{ provide: GatehouseConfig, useValue: config }],
      exports: [GatehouseConfig],
    };
  }

  /** From the environment as it is when the module starts (after `.env` has been loaded). */
  static fromEnvironment(): DynamicModule {
    return {
      module: GatehouseConfigModule,
      global: true,
      providers: [
        {
          provide: GatehouseConfig,
          useFactory: () => GatehouseConfig.from({ settings: process.env }),
        },
      ],
      exports: [GatehouseConfig],
    };
  }
}
