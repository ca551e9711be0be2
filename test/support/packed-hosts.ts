import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './processes';

const run = promisify(execFile);

/** The host applications of test/hosts, each a fixture with its own package.json and tsconfig. */
export const HOSTS_DIR = join(ROOT, 'test', 'hosts');

/**
 * Installed host dependencies survive between runs here, one folder per fixture and version of
 * its package.json: a run installs from the registry only what changed.
 */
const CACHE_DIR = process.env.GATEHOUSE_HOSTS_CACHE ?? join(homedir(), '.cache', 'gatehouse', 'hosts');

async function npm(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

let packed: Promise<string> | undefined;

/**
 * `npm pack` of this repository, once per test process: built as `npm run build` would (tsc and
 * the worker files), but into a folder of its own, so the developer's dist/ is left alone.
 */
export function packGatehouse(): Promise<string> {
  packed ??= (async () => {
    const stage = mkdtempSync(join(tmpdir(), 'gatehouse-stage-'));
    const tsc = require.resolve('typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')], { cwd: ROOT });
    cpSync(join(ROOT, 'src'), join(stage, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md']) {
      if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(stage, file));
    }
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
    const [result] = JSON.parse(
      await npm(stage, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]),
    ) as Array<{ filename: string }>;
    return join(dir, result.filename);
  })();
  return packed;
}

/** The tarball's files, unpacked to a folder of their own (as `package/`). */
export async function unpack(tarball: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-unpacked-'));
  await run('tar', ['xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}

/** The fixture's dependencies, installed once per version of its package.json. */
async function installedDependencies(host: string): Promise<string> {
  const manifest = readFileSync(join(HOSTS_DIR, host, 'package.json'));
  const key = createHash('sha256').update(manifest).digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, `${host}-${key}`);
  if (existsSync(join(dir, 'node_modules'))) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(join(CACHE_DIR, `${host}-staging-`));
  cpSync(join(HOSTS_DIR, host, 'package.json'), join(staging, 'package.json'));
  await npm(staging, ['install', '--no-audit', '--no-fund']);
  // Only a complete install is ever cached.
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/**
 * A host application as its team would have it: the fixture's sources in a folder of their own,
 * its dependencies, and the packed Gatehouse installed from the tarball like any package. Then
 * compiled with its own TypeScript and tsconfig. Returns the folder.
 */
export async function buildHost(host: string, tarball: string): Promise<string> {
  const deps = await installedDependencies(host);
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-host-${host}-`));
  for (const entry of readdirSync(join(HOSTS_DIR, host))) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    cpSync(join(HOSTS_DIR, host, entry), join(dir, entry), { recursive: true });
  }
  cpSync(join(deps, 'package-lock.json'), join(dir, 'package-lock.json'));
  // Hard links: the cache's files are never written, npm replaces what it changes.
  await run('cp', ['-al', join(deps, 'node_modules'), join(dir, 'node_modules')]);
  await npm(dir, ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
  try {
    await run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`the host ${host} does not compile:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  return dir;
}
