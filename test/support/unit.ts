import { Test, TestingModule } from '@nestjs/testing';
import { PasskeysModule } from '../../src/passkeys/passkeys.module';
import { PasskeysConfig, loadPasskeysConfig } from '../../src/config/passkeys.config';
import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAccountConfig, loadMailConfig } from '../../src/config/account.config';
import type { AccountConfig, MailConfig } from '../../src/config/account.config';
import type { AuthConfig } from '../../src/config/auth.config';
import type { TokensConfig } from '../../src/config/tokens.config';
import { loadThrottleConfig } from '../../src/config/throttle.config';
import { loadTokensConfig } from '../../src/config/tokens.config';
import { GatehouseConfig, GatehouseConfigModule } from '../../src/config/gatehouse-config';
import { ConfigValidationError } from '../../src/config/config-validation.error';
import { AuditModule } from '../../src/common/audit/audit.module';
import { RedisModule } from '../../src/redis/redis.module';
import { buildDataSourceOptions } from '../../src/server/typeorm-options';
import { UserStoreModule } from '../../src/users/user-store.module';

/** Test-sized auth settings: a random key and the cheapest bcrypt cost. */
export function testAuthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    algorithm: 'HS256',
    key: createSecretKey(randomBytes(32)),
    issuer: 'unit-issuer',
    audience: 'unit-audience',
    accessTtlSeconds: 900,
    refreshTtlSeconds: 3600,
    clockToleranceSeconds: 5,
    bcryptCost: 4,
    reauthMaxAgeSeconds: 300,
    keys: { dir: '/nonexistent', reloadIntervalMs: 0 },
    isProduction: false,
    ...overrides,
  };
}

/**
 * The settings Gatehouse's services read (GatehouseConfig), and the same as ConfigService
 * namespaces for the few specs that read those.
 */
export async function testConfigModule(
  auth: AuthConfig = testAuthConfig(),
  tokens: TokensConfig = loadTokensConfig({}),
  account: AccountConfig = testAccountConfig(),
  mail: MailConfig = loadMailConfig({
    MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-unit-outbox-')),
  }),
  passkeys: PasskeysConfig = loadPasskeysConfig({}),
): Promise<DynamicModule[]> {
  const throttle = loadThrottleConfig({});
  return [
    await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [() => ({ auth, tokens, throttle })],
    }),
    GatehouseConfigModule.register(
      GatehouseConfig.of({ auth, tokens, throttle, account, mail, passkeys }),
    ),
  ];
}

/** Account settings with a random MFA key (never the data directory's). */
export function testAccountConfig(env: Record<string, string> = {}): AccountConfig {
  return loadAccountConfig({ MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64url'), ...env });
}

/**
 * Config, a migrated in-memory SQLite database with Gatehouse's own users, (disabled) Redis and
 * the audit trail: what TokensModule needs.
 */
export async function unitImports(tokens?: Partial<TokensConfig>) {
  const config = await testConfigModule(testAuthConfig(), { ...loadTokensConfig({}), ...tokens });
  return [...config, sqliteMemoryModule(), UserStoreModule.forRoot(), RedisModule, AuditModule];
}

/** A migrated in-memory SQLite database: real SQL for specs, gone when the module closes. */
export function sqliteMemoryModule(): DynamicModule {
  return TypeOrmModule.forRoot(
    buildDataSourceOptions({
      kind: 'sqlite',
      path: ':memory:',
      migrationsRun: true,
      logging: false,
      timeoutMs: 5000,
    }),
  );
}

/** The problems of the ConfigValidationError `fn` throws (the test fails if it throws none). */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

/** The page origin the passkey specs' authenticators sign for. */
export const PASSKEY_ORIGIN = 'http://localhost:3000';

/** A module with passkeys on for `localhost` and its port-3000 page, on in-memory SQLite. */
export async function passkeysTestModule(
  env: Record<string, string> = {},
  extra: DynamicModule['imports'] = [],
): Promise<TestingModule> {
  const config = await testConfigModule(
    testAuthConfig(),
    loadTokensConfig({}),
    testAccountConfig(),
    loadMailConfig({}),
    loadPasskeysConfig({ PASSKEY_RP_ID: 'localhost', PASSKEY_ORIGINS: PASSKEY_ORIGIN, ...env }),
  );
  const moduleRef = await Test.createTestingModule({
    imports: [
      ...config,
      sqliteMemoryModule(),
      UserStoreModule.forRoot(),
      RedisModule,
      AuditModule,
      PasskeysModule,
      ...extra,
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}
