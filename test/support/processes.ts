import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => ok(port));
    });
  });
}

/**
 * Compiles the app once per run into test-output/, so suites can start it as real processes
 * (`node main.js`) without depending on, or disturbing, the developer's dist/.
 */
export function buildAppOnce(): string {
  const out = join(ROOT, 'test-output', `app-${process.pid}`);
  if (!existsSync(join(out, 'main.js'))) {
    mkdirSync(out, { recursive: true });
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
      { cwd: ROOT, stdio: 'pipe' },
    );
    // What nest-cli.json copies as assets: the plain-JavaScript worker files.
    cpSync(join(ROOT, 'src'), out, { recursive: true, filter: (f) => !f.endsWith('.ts') });
  }
  return join(out, 'main.js');
}

/**
 * Polls `check` until it holds; returns how long that took. A check that throws (at once or
 * later) counts as not yet: a service still starting refuses connections, a log line may be
 * half-written. The bound is a guard against hanging, not a measure: make it generous.
 */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    const held = await Promise.resolve()
      .then(check)
      .catch((error: unknown) => {
        lastError = error;
        return false;
      });
    if (held) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  const why =
    lastError instanceof Error
      ? ` (last check threw: ${lastError.message})`
      : lastError === undefined
        ? ''
        : ' (last check threw)';
  throw new Error(`${what}: not within ${timeoutMs} ms${why}`);
}

export interface RunningApp {
  base: string;
  process: ChildProcess;
  /** stdout and stderr, interleaved. */
  output: () => string;
  /** stdout alone: where the app's JSON log lines go. */
  stdout: () => string;
  /** Its DATA_DIR: a scratch directory unless the test chose one (the outbox is in there). */
  dataDir: string;
  stop(): Promise<void>;
}

/** `cwd` and `readyPath`: for host applications, which live elsewhere and have no /docs-json. */
export async function startApp(
  main: string,
  env: Record<string, string>,
  { cwd = ROOT, readyPath = '/docs-json' }: { cwd?: string; readyPath?: string } = {},
): Promise<RunningApp> {
  const port = await freePort();
  // Never the repository's data/: generated keys and outbox mails stay with the test.
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gatehouse-app-'));
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      ...process.env,
      MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  try {
    await waitFor(async () => (await fetch(`${base}${readyPath}`)).ok, 30_000, `app on ${port}`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-2000)}`);
  }
  return { base, process: child, output: () => output, stdout: () => stdout, dataDir, stop };
}

/** A throwaway redis-server on its own port, which a test may stop and start again. */
export class TestRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const exited = new Promise<never>((_, fail) =>
      this.child?.once('error', (e) =>
        fail(new Error(`redis-server could not start: ${e.message}`)),
      ),
    );
    await Promise.race([
      exited,
      waitFor(
        () =>
          new Promise<boolean>((ok) => {
            const probe = connect(this.port, '127.0.0.1');
            probe.on('connect', () => (probe.destroy(), ok(true)));
            probe.on('error', () => ok(false));
          }),
        10_000,
        'redis-server',
      ),
    ]);
  }

  stop(): Promise<void> {
    return new Promise((ok) => {
      const child = this.child;
      if (!child || child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGKILL');
    });
  }
}
