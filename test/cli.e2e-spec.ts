import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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
      [cli, '-d', dataSource, 'migration:generate', '--check', 'src/database/migrations/Nothing'],
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
