// npm run bench: every target of the performance issue, as ratios of scenarios measured side by
// side in this one run (absolute numbers drift on shared machines; ratios much less). Each app runs
// in its own process; the load generator (autocannon) runs in another, so on two cores the server
// has one and the generator the other. Prints a table and writes bench/results/latest.json.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COST = Number(process.env.BENCH_BCRYPT_COST ?? 10);
const MYSQL = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quick = process.env.BENCH_QUICK === '1';
// BENCH_GROUPS=embedded, =mysql, =postgres, =package, =registration (target 9), =jwt (target 10) or
// =sockets (target 11; the last three also part of embedded) runs that part only (the default runs
// the first four).
const groups = (process.env.BENCH_GROUPS ?? 'embedded,mysql,postgres,package').split(',');
const secs = (n) => (quick ? Math.max(1, Math.round(n / 3)) : n);

const results = { machine: machine(), started: new Date().toISOString(), targets: [] };
const log = (...a) => console.log(...a);

function machine() {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function startApp(env, { cwd = root, ready = '/docs-json' } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--expose-gc', 'dist/main.js'], {
    cwd,
    // NODE_ENV=test: the benchmark switches below are refused in production (nothing measured here
    // reads NODE_ENV otherwise).
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', BENCHMARK_ROUTES: '1', THROTTLE_DISABLED: '1', TOKEN_CLEANUP_INTERVAL: '0', BCRYPT_COST: String(COST), JWT_SECRET: randomBytes(48).toString('base64url'), MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64url'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`app exited: ${err.slice(-500)}`);
    try {
      if ((await fetch(`${base}${ready}`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => new Promise((ok) => { if (child.exitCode !== null) return ok(); child.once('exit', ok); child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); });
  return { base, pid: child.pid, stop };
}

async function json(base, method, path, body, token) {
  const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body && JSON.stringify(body) });
  return r.json();
}

async function account(base) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = `bench-${randomBytes(6).toString('hex')}`;
  const user = await json(base, 'POST', '/auth/register', { email, password });
  const pair = await json(base, 'POST', '/auth/login', { email, password });
  return { id: user.id, email, password, token: pair.access_token };
}

/** autocannon in its own process; resolves with req/s and latency percentiles (ms). */
function load(opts) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['-e', `
      const ac = require(${JSON.stringify(join(root, 'node_modules/autocannon'))});
      const opts = ${JSON.stringify(opts)};
      // uniqueBody: each request's body with its own number in place of {n} (autocannon's
      // idReplacement miscounts Content-Length for its ids).
      let n = 0;
      const stamp = Date.now().toString(36) + process.pid;
      if (opts.uniqueBody) opts.requests = [{ setupRequest: (req) => ({ ...req, body: req.body.replace('{n}', stamp + '-' + n++) }) }];
      ac(opts, (e, r) => {
        if (e) { console.error(e); process.exit(1); }
        process.stdout.write(JSON.stringify({ rps: r.requests.average, total: r.requests.total, mean: r.latency.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }));
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? ok(JSON.parse(out)) : fail(new Error(`autocannon exit ${code}`))));
  });
}

/**
 * A and B in alternating order (AB BA AB …), a few seconds each. Throughput on these shared
 * machines swings by ±20 % from one slice to the next, so the ratio is the median of the rounds'
 * ratios: one disturbed slice moves a mean, not a median. `metric` is what is compared: `rps`
 * (throughput) or `mean` (latency, ms).
 */
async function sideBySide(a, b, seconds, rounds = 6, metric = 'rps') {
  const runs = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) runs[side].push(await load({ ...(side === 'a' ? a : b), duration: seconds }));
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const side = (xs) => ({ rps: median(xs.map((x) => x.rps)), mean: median(xs.map((x) => x.mean)), non2xx: xs.reduce((s, x) => s + x.non2xx, 0) });
  return { a: side(runs.a), b: side(runs.b), ratio: median(runs.a.map((x, i) => x[metric] / runs.b[i][metric])) };
}

function target(id, name, ratio, goal, pass, detail) {
  const row = { id, name, ratio: Number(ratio.toFixed(3)), goal, result: pass === null ? 'report' : pass ? 'pass' : 'short', detail };
  results.targets.push(row);
  log(`  ${String(id).padEnd(3)} ${name.padEnd(58)} ${row.ratio.toFixed(2).padStart(6)}  ${goal.padEnd(7)} ${row.result.padEnd(6)} ${detail}`);
}

/** bcryptjs compares per second at COST on every core, in worker threads: the hashing limit. */
async function hashLimit(ms = 4000) {
  const src = `const { parentPort, workerData } = require('node:worker_threads');
    const b = require(${JSON.stringify(join(root, 'node_modules/bcryptjs'))});
    const h = b.hashSync('Correct-Horse-1', ${COST}); let n = 0; const end = Date.now() + workerData;
    while (Date.now() < end) { b.compareSync('Correct-Horse-1', h); n++; } parentPort.postMessage(n);`;
  const counts = await Promise.all(cpus().map(() => new Promise((ok) => new Worker(src, { eval: true, workerData: ms }).once('message', ok))));
  return counts.reduce((a, x) => a + x, 0) / (ms / 1000);
}

function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

function psql(sql, db) {
  const url = new URL(POSTGRES);
  if (db) url.pathname = `/${db}`;
  const r = spawnSync('psql', [url.toString(), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

function mysql(sql, db) {
  const r = spawnSync('mariadb', ['-uroot', '-h127.0.0.1', ...(db ? [db] : []), '-N', '-e', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

async function main() {
  log('building…');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  log(`machine: ${results.machine}; bcrypt cost ${COST}`);
  log(`  ${'#'.padEnd(3)} ${'target'.padEnd(58)} ${'ratio'.padStart(6)}  ${'goal'.padEnd(7)} result detail`);

  for (const adapter of ['express', 'fastify']) {
    if (groups.includes('embedded')) await embedded(adapter);
  }
  if (groups.includes('embedded') || groups.includes('registration')) await quietRegistration();
  if (groups.includes('embedded') || groups.includes('jwt')) jwtVerify();
  if (groups.includes('embedded') || groups.includes('sockets')) await socketMessages();
  if (groups.includes('mysql')) await mariadb();
  if (groups.includes('postgres')) await postgres();
  if (groups.includes('package')) await packedHost();
  results.note = 'Targets 1, 3, 4, 7 on both HTTP adapters; 2, 5, 6 (database-bound) and 9 on Express (9 also on MariaDB; 2 and 5 also on PostgreSQL, as 2p and 5p); 8 in a host built from the packed package; 10 in this process; 11 in a host of dist/ on socket.io.';
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
  log(`\n${results.note}\nwritten: bench/results/latest.json`);
}

/**
 * 10: how many tokens a second the built TokenSigner verifies (JwtService with the KeyObject the
 * token's kid names, as passport-jwt is given too) against jsonwebtoken handed the same secret as
 * a string, which makes it try createPublicKey on every call. Same token, same answers, in this
 * process, in alternating one-second slices; the median of the slices' ratios.
 */
function jwtVerify() {
  const require = createRequire(join(root, 'dist/index.js'));
  const { JwtService } = require('@nestjs/jwt');
  const { SigningKeys } = require(join(root, 'dist/tokens/signing-keys.service.js'));
  const { TokenSigner } = require(join(root, 'dist/tokens/token-signer.js'));
  const secret = randomBytes(48).toString('base64url');
  const auth = { algorithm: 'HS256', key: createSecretKey(Buffer.from(secret)), issuer: 'bench', audience: 'bench-api', accessTtlSeconds: 900, refreshTtlSeconds: 3600, clockToleranceSeconds: 5, keys: { dir: '/nonexistent', reloadIntervalMs: 0 }, isProduction: false };
  const config = { get: () => auth };
  const keys = new SigningKeys(config);
  const signer = new TokenSigner(keys, new JwtService(keys.jwtOptions()), config);
  const iat = Math.floor(Date.now() / 1000);
  const token = signer.sign({ sub: 'u', jti: randomUUID(), sid: randomUUID(), typ: 'access', roles: ['user'], iat, exp: iat + 3600, iss: 'bench', aud: 'bench-api' });
  const plain = new JwtService();
  const ours = () => signer.verifyPayload(token);
  const theirs = () => plain.verify(token, { secret, algorithms: ['HS256'], issuer: 'bench', audience: 'bench-api' });
  if (!ours() || theirs().jti !== ours().jti) throw new Error('the two verifiers disagree');
  const rate = (fn, ms) => {
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) for (let i = 0; i < 100; i++, n++) fn();
    return n / (ms / 1000);
  };
  rate(ours, 500);
  rate(theirs, 500);
  const slices = { a: [], b: [] };
  for (let i = 0; i < (quick ? 4 : 8); i++) {
    for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) slices[side].push(rate(side === 'a' ? ours : theirs, 1000));
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ratio = median(slices.a.map((x, i) => x / slices.b[i]));
  target(10, 'JWT verify: TokenSigner (KeyObject) vs string secret (report)', ratio, '—', null, `median of ${slices.a.length} slices; ${median(slices.a).toFixed(0)} vs ${median(slices.b).toFixed(0)} verifies/s on one core`);
}

/** 1, 3, 4, 7: the default deployment (embedded SQLite, caches on), on one HTTP adapter. */
async function embedded(adapter) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const app = await startApp({ DATA_DIR: dataDir, HTTP_ADAPTER: adapter });
  const tag = (id) => `${id}${adapter === 'fastify' ? 'f' : ''}`;
  const name = (text) => `${text} [${adapter}]`;
  try {
    const me = await account(app.base);
    const guarded = { url: `${app.base}/users/me`, connections: 20, headers: { authorization: `Bearer ${me.token}` } };
    const twin = { url: `${app.base}/bench/users/${me.id}`, connections: 20 };
    // Long enough for the JIT to settle on both paths (Fastify's first seconds run far slower).
    await load({ ...guarded, duration: secs(6) });
    await load({ ...twin, duration: secs(6) });
    const t1 = await sideBySide(guarded, twin, secs(3));
    target(tag(1), name('guarded /users/me vs @Public() twin'), t1.ratio, '≥ 0.90', t1.ratio >= 0.9 && t1.a.non2xx === 0, `median of 6 rounds; ${t1.a.rps.toFixed(0)} vs ${t1.b.rps.toFixed(0)} req/s`);

    const limit = await hashLimit();
    const loginOpts = { url: `${app.base}/auth/login`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: me.email, password: me.password }) };
    const logins = await load({ ...loginOpts, connections: 16, duration: secs(8) });
    target(tag(3), name(`logins vs bcrypt limit (${cpus().length} cores)`), logins.rps / limit, '≥ 0.80', logins.rps / limit >= 0.8 && logins.non2xx === 0, `${logins.rps.toFixed(1)} vs ${limit.toFixed(1)} /s`);

    // Calm and storm twice each, alternating: a p99 of a few whole milliseconds is coarse, and
    // one unlucky second on a shared machine would otherwise decide the ratio.
    const calmRuns = [];
    const stormRuns = [];
    for (let i = 0; i < 2; i++) {
      calmRuns.push(await load({ ...guarded, connections: 4, duration: secs(4) }));
      const [storm] = await Promise.all([load({ ...guarded, connections: 4, duration: secs(4) }), load({ ...loginOpts, connections: 64, duration: secs(4) })]);
      stormRuns.push(storm);
    }
    const p99 = (runs) => runs.reduce((s, r) => s + r.p99, 0) / runs.length;
    const r4 = p99(stormRuns) / Math.max(p99(calmRuns), 1);
    target(tag(4), name('p99 /users/me, 64-login storm vs calm'), r4, '≤ 2', r4 <= 2 && stormRuns.every((r) => r.non2xx === 0), `${p99(stormRuns).toFixed(1)} vs ${p99(calmRuns).toFixed(1)} ms`);

    // Each reading follows a full collection, so it shows what the process retains rather than
    // how much garbage was waiting at that instant (that alone swung the ratio by 0.14).
    const retained = async () => {
      const r = await json(app.base, 'POST', '/bench/gc', {});
      if (!r.gc) throw new Error('the app was started without --expose-gc');
      return { rss: rssKb(app.pid), heap: r.heapUsed / 2 ** 20 };
    };
    await load({ ...guarded, amount: 20_000 });
    const at20k = await retained();
    await load({ ...guarded, amount: quick ? 40_000 : 180_000 });
    const at200k = await retained();
    const r7 = at200k.rss / at20k.rss;
    target(tag(7), name(`RSS after ${quick ? '60k' : '200k'} requests vs 20k`), r7, '≤ 1.10', r7 <= 1.1, `${(at200k.rss / 1024).toFixed(0)} vs ${(at20k.rss / 1024).toFixed(0)} MiB; heap ${at200k.heap.toFixed(0)} vs ${at20k.heap.toFixed(0)} MiB`);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * 9: AUTH_REGISTRATION_QUIET must not give a taken address away by time. Registrations of an
 * address that has an account against registrations of new ones (each body's address unique),
 * alternating, the ratio of mean latencies per round; the answers themselves are compared too
 * (status, body, headers but the per-request ones). On the embedded database, or on the one
 * `database` names.
 */
async function quietRegistration(database) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const app = await startApp({ DATA_DIR: dataDir, AUTH_REGISTRATION_QUIET: 'true', ...(database ? { DATABASE_URL: database } : {}) });
  const password = `bench-${randomBytes(6).toString('hex')}`;
  const register = (email) => ({ url: `${app.base}/auth/register`, method: 'POST', connections: 4, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  try {
    const taken = `taken-${randomBytes(4).toString('hex')}@example.com`;
    const answer = async (email) => {
      const r = await fetch(`${app.base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const headers = [...r.headers].filter(([k]) => !['date', 'x-request-id'].includes(k));
      return JSON.stringify({ status: r.status, body: await r.text(), headers });
    };
    const first = await answer(taken); // creates the account
    const alike = (await answer(taken)) === first && (await answer(`fresh-${randomBytes(4).toString('hex')}@example.com`)) === first;
    const takenOpts = register(taken);
    const newOpts = { ...register('new-{n}@example.com'), uniqueBody: true };
    await load({ ...takenOpts, duration: secs(3) });
    await load({ ...newOpts, duration: secs(3) });
    const t9 = await sideBySide(takenOpts, newOpts, secs(3), 6, 'mean');
    const non2xx = t9.a.non2xx + t9.b.non2xx;
    target(database ? '9m' : 9, `quiet registration: taken vs new address${database ? ', MariaDB' : ''}`, t9.ratio, '0.9–1.1', t9.ratio >= 0.9 && t9.ratio <= 1.1 && alike && non2xx === 0, `median of 6 rounds; ${t9.a.mean.toFixed(1)} vs ${t9.b.mean.toFixed(1)} ms; answers ${alike ? 'identical' : 'DIFFER'}`);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 2, 5, 6: MariaDB with the caches off, so every request reads the token store. */
async function mariadb() {
  const db = `gh_bench_${process.pid}`;
  mysql(`CREATE DATABASE ${db} CHARACTER SET utf8mb4`);
  const url = new URL(MYSQL.replace(/^mariadb:/, 'mysql:'));
  url.protocol = 'mariadb:';
  url.pathname = `/${db}`;
  const cold = await startApp({ DATABASE_URL: url.toString(), REVOCATION_CACHE_TTL: '0', VERIFIED_TOKEN_CACHE_SIZE: '0' });
  try {
    const { me, guarded, jti } = await databaseBound(cold, {
      tag: '',
      label: 'MariaDB',
      sql: (statement) => mysql(statement, db),
      newJti: 'UUID()',
      analyze: 'ANALYZE TABLE tokens',
      summarize: (explain) => explain.split('\n')[0].split('\t').slice(3, 7).join(' '),
    });
    results.explain = results.explains.MariaDB;

    // 6: purge ~1M expired rows while serving.
    mysql(`UPDATE tokens SET expires_at = '2000-01-01' WHERE jti <> '${jti}' AND family_id = (SELECT family_id FROM (SELECT family_id FROM tokens WHERE jti = '${jti}') x)`, db);
    const quiet = await load({ ...guarded, connections: 4, duration: secs(6) });
    const cleanup = spawn(process.execPath, ['dist/server/cli/tokens-cleanup.js'], { cwd: root, env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: randomBytes(48).toString('base64url'), MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex'), DATABASE_URL: url.toString() }, stdio: 'ignore' });
    const during = await load({ ...guarded, connections: 4, duration: secs(6) });
    const remaining = Number(mysql('SELECT COUNT(*) FROM tokens', db));
    cleanup.kill('SIGTERM');
    target(6, 'p99 of /users/me during a 1M-row cleanup vs without', during.p99 / Math.max(quiet.p99, 1), '≤ 2', during.p99 / Math.max(quiet.p99, 1) <= 2, `${during.p99} vs ${quiet.p99} ms; ${remaining} rows left when the load ended`);
    await cold.stop();
    await quietRegistration(url.toString());
  } finally {
    await cold.stop();
    mysql(`DROP DATABASE IF EXISTS ${db}`);
  }
}

/**
 * 2 and 5 on a database server, with every cache off so each request reads the token store:
 * the guarded route against its twin, then the check's latency at 10k token rows and at 1M
 * (copies of the user's token with new jtis), with the lookup's EXPLAIN.
 */
async function databaseBound(app, { tag, label, sql, newJti, analyze, summarize }) {
  const me = await account(app.base);
  const guarded = { url: `${app.base}/users/me`, connections: 20, headers: { authorization: `Bearer ${me.token}` } };
  const twin = { url: `${app.base}/bench/users/${me.id}`, connections: 20 };
  await load({ ...guarded, duration: 2 });
  const t2 = await sideBySide(guarded, twin, secs(3));
  target(`2${tag}`, `guarded vs twin, caches off, ${label} (report; aim ≥ 0.50)`, t2.ratio, '≥ 0.50', null, `median of 6 rounds; ${t2.a.rps.toFixed(0)} vs ${t2.b.rps.toFixed(0)} req/s`);

  const seedTo = (n) => {
    for (;;) {
      const have = Number(sql('SELECT COUNT(*) FROM tokens'));
      if (have >= n) return;
      sql(`INSERT INTO tokens (jti, user_id, type, family_id, issued_at, expires_at, revoked) SELECT ${newJti}, user_id, type, family_id, issued_at, expires_at, revoked FROM tokens LIMIT ${Math.min(have, n - have)}`);
    }
  };
  // autocannon's percentiles are whole milliseconds; at ~1 ms the mean resolves the difference.
  const meanAt = async () => (await load({ ...guarded, connections: 4, duration: secs(5) })).mean;
  seedTo(10_000);
  sql(analyze);
  const small = await meanAt();
  seedTo(1_000_000);
  sql(analyze);
  const large = await meanAt();
  const jti = JSON.parse(Buffer.from(me.token.split('.')[1], 'base64url')).jti;
  const explain = sql(`EXPLAIN SELECT jti, type, user_id, family_id, revoked, expires_at FROM tokens WHERE jti = '${jti}'`);
  results.explains = { ...results.explains, [label]: explain };
  const ratio = large / Math.max(small, 0.01);
  target(`5${tag}`, `revocation check latency at 1M token rows vs 10k, ${label}`, ratio, '≤ 1.2', ratio <= 1.2, `${large.toFixed(2)} vs ${small.toFixed(2)} ms mean; EXPLAIN: ${summarize(explain)}`);
  return { me, guarded, jti };
}

/** 2p, 5p: targets 2 and 5 on PostgreSQL, the same way as on MariaDB. */
async function postgres() {
  const db = `gh_bench_${process.pid}`;
  psql(`CREATE DATABASE ${db} ENCODING 'UTF8' TEMPLATE template0`);
  const url = new URL(POSTGRES);
  url.pathname = `/${db}`;
  const cold = await startApp({ DATABASE_URL: url.toString(), REVOCATION_CACHE_TTL: '0', VERIFIED_TOKEN_CACHE_SIZE: '0' });
  try {
    await databaseBound(cold, {
      tag: 'p',
      label: 'PostgreSQL',
      sql: (statement) => psql(statement, db),
      newJti: 'gen_random_uuid()',
      analyze: 'ANALYZE tokens',
      summarize: (explain) => explain.split('\n')[0].replace(/\s+\(cost.*$/, ''),
    });
  } finally {
    await cold.stop();
    psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/**
 * 8: the package as a host runs it. `npm pack`, the Nest 11 + Fastify host of test/hosts built
 * on it (its own tsconfig and dependencies, cached between runs), and its guarded route against
 * its public twin: what Gatehouse's guard costs an application that installs it.
 */
async function packedHost() {
  const { packGatehouse, buildHost } = createRequire(import.meta.url)('../test/support/packed-hosts.js');
  const dir = await buildHost('nest11-cjs-fastify', await packGatehouse());
  const data = mkdtempSync(join(tmpdir(), 'gatehouse-bench-host-'));
  // Development: the host passes no MFA key, which production requires; nothing here uses it.
  const app = await startApp(
    { NODE_ENV: 'development', DATA_DIR: data, DATABASE_PATH: join(data, 'host.sqlite') },
    { cwd: dir, ready: '/reports/open' },
  );
  try {
    const me = await account(app.base);
    const bearer = { authorization: `Bearer ${me.token}` };
    // As target 1: a route that reads the account, against the same read without the guard.
    const guarded = { url: `${app.base}/reports/mine`, connections: 20, headers: bearer };
    const twin = { url: `${app.base}/reports/of/${me.id}`, connections: 20 };
    await load({ ...guarded, duration: secs(4) });
    const t8 = await sideBySide(guarded, twin, secs(3));
    target(8, 'packed host (Nest 11, Fastify): guarded vs public twin', t8.ratio, '≥ 0.90', t8.ratio >= 0.9 && t8.a.non2xx === 0, `median of 6 rounds; ${t8.a.rps.toFixed(0)} vs ${t8.b.rps.toFixed(0)} req/s`);
    // The guard against a handler that does nothing at all: its cost per request, in µs.
    const bare = await sideBySide({ url: `${app.base}/reports/ping`, connections: 20, headers: bearer }, { url: `${app.base}/reports/open`, connections: 20 }, secs(3));
    const micros = (1 / bare.a.rps - 1 / bare.b.rps) * 1e6;
    target('8b', 'packed host: guarded no-op vs public no-op (report)', bare.ratio, '—', null, `${bare.a.rps.toFixed(0)} vs ${bare.b.rps.toFixed(0)} req/s: the guard costs ≈ ${micros.toFixed(0)} µs of one core per request`);
  } finally {
    await app.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

/**
 * 11: messages a second on one authenticated socket.io connection, to a handler behind
 * JwtAuthGuard, RolesGuard and @CurrentUser() against the same connection's handler without them.
 * The host runs in its own process; this one keeps 32 messages in flight (acknowledged ones are
 * replaced at once) and alternates one-second slices; the median of the slices' ratios.
 */
async function socketMessages() {
  const require = createRequire(import.meta.url);
  const { io } = require('socket.io-client');
  const child = spawn(process.execPath, [join(root, 'bench/socket-host.cjs')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', JWT_SECRET: randomBytes(48).toString('base64url') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((ok, fail) => {
      child.stdout.on('data', (d) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) ok(Number(m[1]));
      });
      child.once('exit', () => fail(new Error('the socket host exited')));
    });
    const base = `http://127.0.0.1:${port}`;
    const me = await account(base);
    const socket = io(base, { transports: ['websocket'], reconnection: false, auth: { token: me.token } });
    await new Promise((ok, fail) => { socket.once('connect', ok); socket.once('connect_error', fail); });
    const rate = (event, ms) =>
      new Promise((ok, fail) => {
        let done = 0;
        const end = performance.now() + ms;
        const send = () => socket.emit(event, { id: me.id }, (answer) => {
          if (answer !== me.id) return fail(new Error(`${event} answered ${JSON.stringify(answer)}`));
          done++;
          if (performance.now() < end) send();
          else if (--inFlight === 0) ok(done / (ms / 1000));
        });
        let inFlight = 32;
        for (let i = 0; i < inFlight; i++) send();
      });
    await rate('guarded', 1000);
    await rate('open', 1000);
    const slices = { a: [], b: [] };
    for (let i = 0; i < (quick ? 4 : 8); i++) {
      for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) slices[side].push(await rate(side === 'a' ? 'guarded' : 'open', 1000));
    }
    socket.close();
    const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const ratio = median(slices.a.map((x, i) => x / slices.b[i]));
    target(11, 'socket.io messages: guarded handler vs the same unguarded', ratio, '≥ 0.90', ratio >= 0.9, `median of ${slices.a.length} slices; ${median(slices.a).toFixed(0)} vs ${median(slices.b).toFixed(0)} messages/s`);
  } finally {
    child.kill();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
