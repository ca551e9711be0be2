import { DynamicModule, InjectionToken, Module } from '@nestjs/common';
import {
  AccountConfig,
  MailConfig,
  accountConfigFrom,
  appUrlFrom,
  mailConfigFrom,
} from './account.config';
import { AuthConfig, authConfigFrom } from './auth.config';
import { ConfigValidationError, checkAll } from './config-validation.error';
import { EnvironmentVariables, checkEnv, processEnvironment } from './env.validation';
import { RuntimeConfig, runtimeConfigFrom } from './runtime.config';
import { secretProblems } from './secret-checks';
import { PasskeysConfig, passkeysConfigFrom } from './passkeys.config';
import { ThrottleConfig, throttleConfigFrom } from './throttle.config';
import { TokensConfig, tokensConfigFrom } from './tokens.config';
import type { JwtAlgorithm } from '../keys/jwt-algorithm';

/**
 * How an application configures Gatehouse's AuthModule (`AuthModule.forRoot` or
 * `forRootAsync`). The common settings are typed; anything else goes in `settings` under its
 * environment variable name (see .env.example). Everything is validated as the environment is,
 * and a bad value stops the boot naming the setting.
 */
export interface GatehouseAuthOptions {
  jwt?: {
    algorithm?: JwtAlgorithm;
    /** HS256 secret, at least 32 bytes. */
    secret?: string;
    /** Key pairs for ES256, RS256 (see `npm run keys:rotate`). */
    keysDir?: string;
    issuer?: string;
    audience?: string;
    /** Durations such as `900` (a bare number is seconds), `15m`, `14d`. */
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
  /**
   * Passkeys (WebAuthn), on by default. `rpId` is the domain they are bound to (required in
   * production); `origins` the pages that may use them (default: `appUrl`'s origin).
   */
  passkeys?: {
    enabled?: boolean;
    rpId?: string;
    rpName?: string;
    origins?: string[];
  };
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
  passkeys: PasskeysConfig;
}

/** The settings Gatehouse's services read, resolved once from the options. */
export class GatehouseConfig {
  private constructor(private readonly values: GatehouseSettings) {}

  /** Settings already resolved (tests, and entry points that loaded the environment). */
  static of(settings: GatehouseSettings): GatehouseConfig {
    return new GatehouseConfig(settings);
  }

  /**
   * Parses the options once, checks them all (every problem named in one ConfigValidationError),
   * then resolves the secrets: in development a missing one is generated, and said so.
   */
  static from(options: GatehouseAuthOptions = {}): GatehouseConfig {
    const { env, runtime, settings } = checkSettings(options);
    return new GatehouseConfig({ ...settings, auth: authConfigFrom(env, runtime) });
  }

  /** Same call shape as `ConfigService.get(namespace, { infer: true })`. */
  get<K extends keyof GatehouseSettings>(key: K, _options?: { infer: true }): GatehouseSettings[K] {
    return this.values[key];
  }
}

function toEnvironment(options: GatehouseAuthOptions): Record<string, string | undefined> {
  const { jwt = {}, mail = {}, passkeys = {} } = options;
  const typed: Record<string, string | undefined> = {
    // Whether this is production is the process's, not the options': its secrets get no fallback.
    NODE_ENV: options.settings?.NODE_ENV ?? processEnvironment().NODE_ENV,
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
    PASSKEYS: passkeys.enabled?.toString(),
    PASSKEY_RP_ID: passkeys.rpId,
    PASSKEY_RP_NAME: passkeys.rpName,
    PASSKEY_ORIGINS: passkeys.origins?.join(','),
  };
  const defined = Object.entries(typed).filter(([, value]) => value !== undefined);
  return { ...options.settings, ...Object.fromEntries(defined) };
}

/**
 * The one pass over Gatehouse's settings: parsed once, then every namespace built from the typed
 * result. Problems are reported together: the variables and the secrets first (production's
 * missing ones all named at once), then, once those are sound, the rules between settings.
 * Everything but `auth`, whose secret development would generate.
 */
function checkSettings(options: GatehouseAuthOptions): {
  env: EnvironmentVariables;
  runtime: RuntimeConfig;
  settings: Omit<GatehouseSettings, 'auth'>;
} {
  const { env, problems } = checkEnv(toEnvironment(options));
  const runtime = runtimeConfigFrom(env);
  problems.push(...secretProblems(env, runtime));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  const settings = checkAll({
    tokens: () => tokensConfigFrom(env),
    throttle: () => throttleConfigFrom(env),
    account: () => accountConfigFrom(env, runtime),
    mail: () => mailConfigFrom(env, runtime),
    passkeys: () => passkeysConfigFrom(env, runtime, appUrlFrom(env, runtime)),
  });
  return { env, runtime, settings };
}

/**
 * Checks Gatehouse's settings as AuthModule will at boot, for an entry point that wants a bad
 * one to stop it before Nest starts. Throws ConfigValidationError naming every bad setting; in
 * production every missing or weak secret is one (development generates them, at boot, in the
 * application's log, and says so: this only checks).
 */
export function validateGatehouseSettings(options: GatehouseAuthOptions = {}): void {
  checkSettings(options);
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

  /**
   * From AuthModule's options: the module definition's own providers and imports (the options,
   * however `forRoot`/`forRootAsync` gave them) move here, into a global module, so that every
   * feature module reaches the settings whether or not the host made AuthModule itself global.
   */
  static fromOptions(
    optionsToken: InjectionToken,
    definition: Pick<DynamicModule, 'imports' | 'providers'>,
    /** What the module's own shape decides over the options (passkeys off with their routes). */
    overrides: { passkeysOff?: boolean } = {},
  ): DynamicModule {
    return {
      module: GatehouseConfigModule,
      global: true,
      imports: definition.imports ?? [],
      providers: [
        ...(definition.providers ?? []),
        {
          provide: GatehouseConfig,
          inject: [optionsToken],
          useFactory: (options: GatehouseAuthOptions) =>
            GatehouseConfig.from(
              overrides.passkeysOff
                ? { ...options, passkeys: { ...options.passkeys, enabled: false } }
                : options,
            ),
        },
      ],
      exports: [GatehouseConfig, optionsToken],
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
          useFactory: () => GatehouseConfig.from({ settings: processEnvironment() }),
        },
      ],
      exports: [GatehouseConfig],
    };
  }
}
