import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readKeyDir, writeKeyFile } from '../src/keys/key-files';
import { generateSigningKey } from '../src/keys/signing-key';
import { Token } from '../src/tokens/entities/token.entity';
import { databaseKinds } from './support/databases';
import { ROOT, buildAppOnce } from './support/processes';
import { TEST_SECRET, TestApp, createTestApp } from './support/test-app';

const run = promisify(execFile);

/** `npm run tokens:cleanup` as cron runs it (compiled, its own process and module graph), and TypeORM's CLI. */
describe.each(databaseKinds())('the command-line tools on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
    buildAppOnce();
  }, 120_000);
  afterAll(() => t.close());

  it('deletes tokens expired longer than the retention, and keeps the rest', async () => {
    const user = await t.register();
    const live = await t.login(user.email, user.password);
    const tokens = t.dataSource.getRepository(Token);
    const liveJti = (
      JSON.parse(Buffer.from(live.access.split('.')[1], 'base64url').toString()) as { jti: string }
    ).jti;
    const old = await t.login(user.email, user.password);
    const oldJti = (
      JSON.parse(Buffer.from(old.access.split('.')[1], 'base64url').toString()) as { jti: string }
    ).jti;
    await tokens.update({ jti: oldJti }, { expiresAt: new Date(Date.now() - 30 * 86_400_000) });

    const { stdout, stderr } = await run(
      process.execPath,
      [join(dirname(buildAppOnce()), 'server/cli/tokens-cleanup.js')],
      {
        cwd: ROOT,
        // The server's environment, as cron would hand it: in production that includes the MFA key,
        // since the CLI boots AuthModule as the server does.
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          JWT_SECRET: TEST_SECRET,
          MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
          PASSKEY_RP_ID: 'example.com',
          DATABASE_URL: t.db.url,
          TOKEN_RETENTION: '7d',
        },
      },
    );
    expect(`${stdout}${stderr}`).toMatch(/deleted 1 token/);
    expect(await tokens.findOneBy({ jti: oldJti })).toBeNull();
    expect(await tokens.findOneBy({ jti: liveJti })).not.toBeNull();
  }, 60_000);

  it("migration:generate finds the migrated schema equal to the entities (TypeORM's CLI, as npm run migration:generate runs it)", async () => {
    const cli = join(ROOT, 'node_modules/typeorm/cli.js');
    const dataSource = join(dirname(buildAppOnce()), 'server/data-source.js');
    // --check: exit 0 when there is nothing to generate, 1 when the schema and entities differ.
    const { stdout } = await run(
      process.execPath,
      [cli, '-d', dataSource, 'migration:generate', '--check', 'src/schema/migrations/Nothing'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: t.db.url,
          DATABASE_MIGRATIONS_RUN: 'false',
        },
      },
    );
    expect(stdout).toMatch(/No changes in database schema were found/);
  }, 60_000);
});

/** What a compiled entry point printed and how it exited, whether it failed or not. */
async function outcome(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the server refusing a production boot', () => {
  // Its own directory, so no .env of the repository's is read, and nothing is written there.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-boot-'));
    buildAppOnce();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names every missing secret in one message, and exits 1 before anything starts', async () => {
    const { code, output } = await outcome(
      buildAppOnce(),
      [],
      { NODE_ENV: 'production', DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' },
      dir,
    );
    expect(code).toBe(1);
    const failures = output.split('\n').filter((line) => line.includes('failed to start'));
    expect(failures).toHaveLength(1);
    const message = output.slice(output.indexOf('failed to start'));
    expect(message).toContain('JWT_SECRET is required when NODE_ENV=production');
    expect(message).toContain('MFA_ENCRYPTION_KEY is required when NODE_ENV=production');
    expect(message).toContain('PASSKEY_RP_ID is required when NODE_ENV=production');
    // A configuration error, not a crash: no stack trace, and no secret generated in its place.
    expect(output).not.toMatch(/^\s+at /m);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe('npm run keys:rotate -- --prune', () => {
  const HOUR = 3_600_000;
  let dir: string;
  let keysDir: string;
  beforeAll(() => buildAppOnce(), 120_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-prune-'));
    keysDir = join(dir, 'keys');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keysCli = (...args: string[]) =>
    outcome(
      join(dirname(buildAppOnce()), 'cli/keys-rotate.js'),
      args,
      {
        NODE_ENV: 'production',
        JWT_ALGORITHM: 'ES256',
        JWT_KEYS_DIR: keysDir,
        JWT_ACCESS_TTL: '15m',
        JWT_REFRESH_TTL: '1d',
      },
      dir,
    );

  /** A key retired 5 days ago (its tokens, of 1 day at most, all expired), the signing one, a pending one. */
  function keyDirWithRetiredKey() {
    const now = Date.now();
    const keys = {
      retired: generateSigningKey('ES256', now - 10 * 24 * HOUR, now - 10 * 24 * HOUR),
      signing: generateSigningKey('ES256', now - 5 * 24 * HOUR, now - 10 * 24 * HOUR),
      pending: generateSigningKey('ES256', now + HOUR, now),
    };
    for (const key of Object.values(keys)) writeKeyFile(keysDir, key);
    return keys;
  }

  it('deletes the retired key whose tokens have all expired, and writes no new one', async () => {
    const { retired, signing, pending } = keyDirWithRetiredKey();
    const { code, output } = await keysCli('--prune');
    expect(code).toBe(0);
    expect(output).toContain(`pruned key ${retired.kid}`);
    expect(output).toMatch(/no key added/);
    expect(
      readKeyDir(keysDir)
        .map((key) => key.kid)
        .sort(),
    ).toEqual([signing.kid, pending.kid].sort());
  }, 30_000);

  it('refuses --activate-in with --prune, which adds no key to activate, and changes nothing', async () => {
    keyDirWithRetiredKey();
    const before = readdirSync(keysDir).sort();
    const { code, output } = await keysCli('--prune', '--activate-in', '1h');
    expect(code).toBe(1);
    expect(output).toMatch(/--prune deletes expired keys and adds none/);
    expect(readdirSync(keysDir).sort()).toEqual(before);
  }, 30_000);

  it('without --prune adds the next key and deletes none', async () => {
    const { retired } = keyDirWithRetiredKey();
    const { code, output } = await keysCli('--activate-in', '1h');
    expect(code).toBe(0);
    expect(output).toMatch(/key \S+ \(ES256\) signs from/);
    expect(output).not.toMatch(/pruned/);
    const kids = readKeyDir(keysDir).map((key) => key.kid);
    expect(kids).toHaveLength(4);
    expect(kids).toContain(retired.kid);
  }, 30_000);
});
