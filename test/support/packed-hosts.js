// @ts-check
// CommonJS, with its types beside it (packed-hosts.d.ts): the e2e suite and `npm run bench` (an
// ES module, no TypeScript) both build the packed host applications through it.
const { execFile } = require('node:child_process');
const { createHash } = require('node:crypto');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { promisify } = require('node:util');

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/** The host applications of test/hosts, each a fixture with its own package.json and tsconfig. */
const HOSTS_DIR = join(ROOT, 'test', 'hosts');

/**
 * Installed host dependencies survive between runs here, one folder per fixture and version of
 * its package.json: a run installs from the registry only what changed.
 */
const CACHE_DIR = process.env.GATEHOUSE_HOSTS_CACHE ?? join(homedir(), '.cache', 'gatehouse', 'hosts');

/** @param {string} cwd @param {string[]} args */
async function npm(cwd, args) {
  try {
    const { stdout } = await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = /** @type {{ stdout?: string; stderr?: string }} */ (error);
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** @type {Promise<string> | undefined} */
let packed;

/**
 * `npm pack` of this repository, once per process: built as `npm run build` would (tsc and the
 * worker files), but into a folder of its own, so the developer's dist/ is left alone.
 * @returns {Promise<string>} the tarball's path
 */
function packGatehouse() {
  packed ??= (async () => {
    const stage = mkdtempSync(join(tmpdir(), 'gatehouse-stage-'));
    const tsc = require.resolve('typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')], { cwd: ROOT });
    cpSync(join(ROOT, 'src'), join(stage, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md']) {
      if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(stage, file));
    }
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
    const [result] = JSON.parse(await npm(stage, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]));
    return join(dir, result.filename);
  })();
  return packed;
}

/**
 * The tarball's files, unpacked to a folder of their own.
 * @param {string} tarball
 * @returns {Promise<string>} the unpacked `package/` folder
 */
async function unpack(tarball) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-unpacked-'));
  await run('tar', ['xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}

/** The fixture's dependencies, installed once per version of its package.json. @param {string} host */
async function installedDependencies(host) {
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
 * compiled with its own TypeScript and tsconfig.
 * @param {string} host a folder of test/hosts
 * @param {string} tarball
 * @returns {Promise<string>} the host's folder (its entry point is dist/main.js)
 */
async function buildHost(host, tarball) {
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
    const { stdout, stderr } = /** @type {{ stdout?: string; stderr?: string }} */ (error);
    throw new Error(`the host ${host} does not compile:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  return dir;
}

module.exports = { HOSTS_DIR, packGatehouse, unpack, buildHost };
