import { hashSync } from 'bcryptjs';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { io } from 'socket.io-client';
import {
  SqlClient,
  TestDatabase,
  createTestDatabase,
  databaseKinds,
  openSql,
} from './support/databases';
import { ROOT, RunningApp, freePort, startApp } from './support/processes';
import { connectGraphqlWs, firstTick } from './support/graphql-ws-client';
import { buildHost, packGatehouse, unpack } from './support/packed-hosts';

const run = promisify(execFile);
const SECRET = 'host-secret-0123456789abcdef0123456789abcdef';
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** What a packed file loads: `require("x")` in the compiled JavaScript. */
function requiresOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

describe('the npm package', () => {
  let tarball: string;
  let unpacked: string;
  let manifest: {
    name: string;
    private?: boolean;
    bin?: Record<string, string>;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  let files: string[];

  beforeAll(async () => {
    tarball = await packGatehouse();
    unpacked = await unpack(tarball);
    manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
    files = filesUnder(unpacked).map((file) => relative(unpacked, file));
  }, 300_000);

  it('is a public package under its own name, with its types and its worker', () => {
    expect(manifest.name).toBe('nestjs-gatehouse');
    expect(manifest.private).toBeUndefined();
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/users/workers/bcrypt.worker.js',
      ]),
    );
  });

  it('carries the library only: no tests, and nothing of the standalone server (src/server)', () => {
    const strays = files.filter((file) =>
      /\.spec\.|\.map$|^dist\/(main\.|server\/)|^(src|test)\//.test(file),
    );
    expect(strays).toEqual([]);
    expect(files.some((file) => file.startsWith('dist/auth/'))).toBe(true);
  });

  it('ships the key rotation CLI as a bin that runs from the package', async () => {
    expect(manifest.bin).toEqual({ 'gatehouse-keys-rotate': 'dist/cli/keys-rotate.js' });
    const script = join(unpacked, 'dist/cli/keys-rotate.js');
    expect(readFileSync(script, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // Run from the unpacked tarball with this repository's node_modules for its peers.
    const { stdout } = await run(process.execPath, [script, '--help'], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    expect(stdout).toMatch(/^gatehouse-keys-rotate /);
  });

  it('loads nothing it does not carry or declare', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const problems: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      for (const specifier of requiresOf(join(unpacked, file))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(join(unpacked, file)), specifier);
          const found = [target, `${target}.js`, join(target, 'index.js')].some(
            (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
          );
          if (!found) problems.push(`${file} requires ${specifier}, which is not in the package`);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
          if (!declared.has(packageName(specifier))) {
            problems.push(`${file} requires ${specifier}, which is not a dependency or peer`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('passes publint', async () => {
    const { stdout } = await run(bin('publint'), ['--strict', '--pack', 'false', unpacked]);
    expect(stdout).toContain('All good');
  });

  it('has types that resolve under node10, node16 (CJS and ESM) and bundlers (arethetypeswrong)', async () => {
    // Exits non-zero on any problem, printing the table.
    await expect(run(bin('attw'), [tarball, '--format', 'ascii'])).resolves.toBeDefined();
  });
});

function hostClient(app: RunningApp) {
  const auth = (token?: string): Record<string, string> =>
    token ? { authorization: `Bearer ${token}` } : {};
  return {
    post: (path: string, body: object, token?: string) =>
      fetch(`${app.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(token) },
        body: JSON.stringify(body),
      }),
    get: (path: string, token?: string) => fetch(`${app.base}${path}`, { headers: auth(token) }),
  };
}

/** A host built from test/hosts/<name>, started on its own port. */
async function startHost(
  name: string,
  env: Record<string, string>,
): Promise<RunningApp & { dir: string }> {
  const host = await buildHost(name, await packGatehouse());
  const app = await startApp(
    join(host, 'dist', 'main.js'),
    { NODE_ENV: 'development', JWT_SECRET: SECRET, ...env },
    { cwd: host, readyPath: '/ping' },
  );
  return Object.assign(app, { dir: host });
}

describe('a classic CommonJS Nest 11 application on Fastify and SQLite', () => {
  let app: RunningApp & { dir: string };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-host-db-'));
    app = await startHost('nest11-cjs-fastify', { DATABASE_PATH: join(dir, 'host.sqlite') });
  }, 600_000);
  afterAll(() => app?.stop());

  it('registers, logs in, guards the host’s route and refuses the token after logout', async () => {
    const { post, get } = hostClient(app);
    const credentials = { email: 'ada@host.example', password: 'correct horse battery staple' };
    const registered = await post('/auth/register', credentials);
    expect(registered.status).toBe(201);
    const { id } = (await registered.json()) as { id: string };
    const login = await post('/auth/login', credentials);
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };

    expect((await get('/reports/mine')).status).toBe(401);
    const guarded = await get('/reports/mine', access_token);
    expect(guarded.status).toBe(200);
    expect(await guarded.json()).toEqual({ owner: id, email: credentials.email });
    expect(await (await get(`/reports/of/${id}`)).json()).toEqual({
      owner: id,
      email: credentials.email,
    });

    expect((await post('/auth/logout', {}, access_token)).status).toBe(204);
    expect((await get('/reports/mine', access_token)).status).toBe(401);
  });

  it('runs without any of the optional peers for GraphQL, WebSockets or microservices installed', () => {
    // What the test above did, it did without them: npm installed no optional peer, and nothing
    // the package loads for HTTP asks for one.
    const optional = Object.keys(
      (
        JSON.parse(
          readFileSync(join(app.dir, 'node_modules/nestjs-gatehouse/package.json'), 'utf8'),
        ) as {
          peerDependenciesMeta: Record<string, { optional?: boolean }>;
        }
      ).peerDependenciesMeta,
    ).filter((name) => name !== 'ioredis');
    expect(optional).toEqual(
      expect.arrayContaining([
        '@nestjs/websockets',
        '@nestjs/microservices',
        '@nestjs/platform-ws',
      ]),
    );
    for (const name of [...optional, '@nestjs/graphql', 'graphql', 'socket.io', 'ws']) {
      expect([name, existsSync(join(app.dir, 'node_modules', name))]).toEqual([name, false]);
    }
  });

  it('rotates signing keys with the package’s bin, as installed in the host', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-host-keys-'));
    const { stdout, stderr } = await run(
      join(app.dir, 'node_modules', '.bin', 'gatehouse-keys-rotate'),
      [],
      {
        cwd: app.dir,
        env: { PATH: process.env.PATH ?? '', JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: keysDir },
      },
    );
    expect(`${stdout}${stderr}`).toMatch(/key \S+ \(ES256\) signs from/);
    expect(readdirSync(keysDir)).toHaveLength(1);
  });
});

/**
 * A host's existing user logs in with its old password; the host's guarded route refuses no
 * token, answers `mine` to its token, and refuses it again after logout.
 */
async function existingUserSignsIn(
  app: RunningApp,
  existing: { email: string; password: string },
  mine: Record<string, unknown>,
): Promise<void> {
  const { post, get } = hostClient(app);
  const login = await post('/identity/auth/login', existing);
  expect(login.status).toBe(200);
  const { access_token } = (await login.json()) as { access_token: string };
  expect((await get('/reports/mine')).status).toBe(401);
  const answer = await get('/reports/mine', access_token);
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual(mine);
  expect((await post('/identity/auth/logout', {}, access_token)).status).toBe(204);
  expect((await get('/reports/mine', access_token)).status).toBe(401);
}

// MariaDB is required on CI (REQUIRE_SERVICES=1); elsewhere the suite runs where it is configured.
const onMysql = databaseKinds().includes('mysql') ? describe : describe.skip;

onMysql(
  'a Nest 12 application as `nest new` makes it (ES modules), on Express and MariaDB, with its own users',
  () => {
    let app: RunningApp;
    let db: TestDatabase;
    const existing = { email: 'grace@host.example', password: 'her password since 2019' };
    let sql: SqlClient;

    beforeAll(async () => {
      db = await createTestDatabase('mysql');
      sql = await openSql(db);
      // The application's database as it was before Gatehouse: its users, their bcrypt hashes.
      await sql.rows(`CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL UNIQUE,
      password varchar(60) NOT NULL, full_name varchar(100) NOT NULL, banned tinyint NOT NULL DEFAULT 0,
      roles varchar(100) NOT NULL DEFAULT 'user') CHARACTER SET utf8mb4`);
      await sql.rows('INSERT INTO users (email, password, full_name) VALUES (?, ?, ?)', [
        existing.email,
        hashSync(existing.password, 4),
        'Grace Hopper',
      ]);
      app = await startHost('nest12-esm-express', { DATABASE_URL: db.url });
    }, 600_000);
    afterAll(async () => {
      await app?.stop();
      await sql?.end();
      await db?.drop();
    });

    it('logs an existing user in with the old password; the host’s guarded route gets its id and name', () =>
      existingUserSignsIn(app, existing, { owner: 1, type: 'number', name: 'Grace Hopper' }));

    it('registers a new user into the host’s own table, and no second users table appears', async () => {
      const { post } = hostClient(app);
      const credentials = { email: 'ada@host.example', password: 'correct horse battery staple' };
      const registered = await post('/identity/auth/register', credentials);
      expect(registered.status).toBe(201);
      expect(await registered.json()).toMatchObject({ id: '2', email: credentials.email });
      expect(await sql.rows('SELECT id, full_name FROM users ORDER BY id')).toEqual([
        { id: 1, full_name: 'Grace Hopper' },
        { id: 2, full_name: 'ada' },
      ]);
      const tables = (await sql.rows<Record<string, string>>('SHOW TABLES'))
        .map((row) => Object.values(row)[0])
        .sort();
      expect(tables).toEqual(
        [
          'gh_mfa_recovery_codes',
          'gh_one_time_tokens',
          'gh_passkey_challenges',
          'gh_passkeys',
          'gh_revocation_outbox',
          'gh_sessions',
          'gh_tokens',
          'gh_user_mfa',
          'migrations',
          'users',
        ].sort(),
      );
      expect((await post('/identity/auth/login', credentials)).status).toBe(200);
    });

    it('keeps the host’s GET /users/:id; Gatehouse’s routes live under the chosen prefix', async () => {
      const { post, get } = hostClient(app);
      const one = await get('/users/1');
      expect(one.status).toBe(200);
      expect(await one.json()).toEqual({ id: 1, email: existing.email, name: 'Grace Hopper' });
      expect((await post('/auth/login', existing)).status).toBe(404);
      const { access_token } = (await (await post('/identity/auth/login', existing)).json()) as {
        access_token: string;
      };
      const me = await get('/identity/users/me', access_token);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ id: '1', email: existing.email });
    });

    it('has the security requirements in the host’s own Swagger document', async () => {
      const document = (await (await hostClient(app).get('/api-json')).json()) as {
        paths: Record<string, Record<string, { security?: unknown }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.paths['/identity/users/me'].get.security).toEqual([
        { bearer: [] },
        { oauth2: [] },
      ]);
      expect(document.paths['/identity/auth/login'].post.security).toEqual([]);
      expect(document.components.securitySchemes.oauth2).toEqual({
        type: 'oauth2',
        flows: { password: { tokenUrl: '/identity/auth/token', scopes: {} } },
      });
      expect(JSON.stringify(document)).not.toContain('x-gatehouse');
    });
  },
);

// PostgreSQL is required on CI too; elsewhere the suite runs where it is configured.
const onPostgres = databaseKinds().includes('postgres') ? describe : describe.skip;

onPostgres(
  'the same Nest 12 application on PostgreSQL (TypeORM 1.x), its users keyed by UUIDs',
  () => {
    let app: RunningApp;
    let db: TestDatabase;
    let sql: SqlClient;
    const existing = { email: 'grace@host.example', password: 'her password since 2019' };
    const graceId = '3f2b8c1e-7a4d-4e6f-9b0a-5c1d2e3f4a5b';

    beforeAll(async () => {
      db = await createTestDatabase('postgres');
      sql = await openSql(db);
      // The application's database as it was before Gatehouse: its users, their bcrypt hashes.
      await sql.rows(`CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email varchar(255) NOT NULL UNIQUE,
      password varchar(60) NOT NULL, full_name varchar(100) NOT NULL, banned boolean NOT NULL DEFAULT false,
      roles text[] NOT NULL DEFAULT '{user}')`);
      await sql.rows('INSERT INTO users (id, email, password, full_name) VALUES (?, ?, ?, ?)', [
        graceId,
        existing.email,
        hashSync(existing.password, 4),
        'Grace Hopper',
      ]);
      app = await startHost('nest12-esm-postgres', { DATABASE_URL: db.url });
    }, 600_000);
    afterAll(async () => {
      await app?.stop();
      await sql?.end();
      await db?.drop();
    });

    it('logs an existing user in with the old password; the host’s guarded route gets its UUID and name', () =>
      existingUserSignsIn(app, existing, { owner: graceId, type: 'string', name: 'Grace Hopper' }));

    it('registers into the host’s table under an id the database makes, with Gatehouse’s tables of PostgreSQL types beside it', async () => {
      const { post } = hostClient(app);
      const credentials = { email: 'ada@host.example', password: 'correct horse battery staple' };
      const registered = await post('/identity/auth/register', credentials);
      expect(registered.status).toBe(201);
      const { id } = (await registered.json()) as { id: string };
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await sql.rows('SELECT full_name, roles FROM users WHERE id = ?', [id])).toEqual([
        { full_name: 'ada', roles: ['user'] },
      ]);
      const types = await sql.rows<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_name = 'gh_tokens' AND column_name IN ('jti', 'user_id', 'issued_at', 'revoked') ORDER BY column_name`,
      );
      expect(types.map((c) => [c.column_name, c.data_type])).toEqual([
        ['issued_at', 'timestamp with time zone'],
        ['jti', 'uuid'],
        ['revoked', 'boolean'],
        ['user_id', 'character varying'],
      ]);
      const tables = await sql.rows<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      expect(tables.map((t) => t.tablename)).toEqual([
        'gh_mfa_recovery_codes',
        'gh_one_time_tokens',
        'gh_passkey_challenges',
        'gh_passkeys',
        'gh_revocation_outbox',
        'gh_sessions',
        'gh_tokens',
        'gh_user_mfa',
        'migrations',
        'users',
      ]);
      expect((await post('/identity/auth/login', credentials)).status).toBe(200);
    });

    it('keeps the host’s GET /users/:id; an id no uuid can be is a 404 from Gatehouse, not a 500', async () => {
      const { post, get } = hostClient(app);
      const one = await get(`/users/${graceId}`);
      expect(await one.json()).toEqual({
        id: graceId,
        email: existing.email,
        name: 'Grace Hopper',
      });
      const { access_token } = (await (await post('/identity/auth/login', existing)).json()) as {
        access_token: string;
      };
      const me = await get('/identity/users/me', access_token);
      expect(await me.json()).toMatchObject({ id: graceId, email: existing.email });
      // Grace is no admin here: an admin route answers 403 before any lookup; the store's own guard
      // against non-UUIDs is covered in-process (host-postgres.e2e-spec.ts).
      expect(
        (await post('/identity/admin/users/42/revoke-sessions', {}, access_token)).status,
      ).toBe(403);
    });
  },
);

describe('a Nest 12 monolith (ES modules) with GraphQL, a socket.io gateway and TCP handlers, behind the global guards', () => {
  let app: RunningApp;
  let tcpPort: number;
  let user: { id: string; access: string };
  const credentials = { email: 'ada@host.example', password: 'correct horse battery staple' };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-host-db-'));
    tcpPort = await freePort();
    app = await startHost('nest12-esm-realtime', {
      DATABASE_PATH: join(dir, 'host.sqlite'),
      TCP_PORT: String(tcpPort),
    });
    const { post } = hostClient(app);
    const { id } = (await (await post('/auth/register', credentials)).json()) as { id: string };
    const login = (await (await post('/auth/login', credentials)).json()) as {
      access_token: string;
    };
    user = { id, access: login.access_token };
  }, 600_000);
  afterAll(() => app?.stop());

  /** Another session of the same account: its access token. */
  async function signInAgain(): Promise<string> {
    const login = await hostClient(app).post('/auth/login', credentials);
    return ((await login.json()) as { access_token: string }).access_token;
  }

  async function graphql(query: string, token?: string) {
    const res = await hostClient(app).post('/graphql', { query }, token);
    return (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{
        extensions?: { code?: string; gatehouseCode?: string; stacktrace?: unknown };
      }>;
    };
  }

  it('guards the resolver: UNAUTHENTICATED without a token, FORBIDDEN without the role, the caller with it', async () => {
    const anonymous = await graphql('{ me { id } }');
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // Outside production Apollo sends a stack when the error has one: a refusal has no frames.
    const stack = (anonymous.errors?.[0].extensions?.stacktrace as string[] | undefined) ?? [];
    expect(stack.filter((line) => /^\s*at /.test(line))).toEqual([]);
    expect(await graphql('{ me { id } }', user.access)).toEqual({ data: { me: { id: user.id } } });
    const notAdmin = await graphql('{ adminOnly }', user.access);
    expect(notAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await graphql('{ hello }')).toEqual({ data: { hello: 'world' } });
  });

  it('guards a subscription over graphql-ws: refused without a token, closed when its session ends', async () => {
    const url = `${app.base.replace(/^http/, 'ws')}/graphql`;
    const anonymous = connectGraphqlWs(url);
    try {
      await expect(firstTick(anonymous.client)).resolves.toEqual({
        errors: [
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) as unknown,
          }),
        ],
      });
    } finally {
      await anonymous.client.dispose();
    }

    const access = await signInAgain();
    const signedIn = connectGraphqlWs(url, { authorization: `Bearer ${access}` });
    try {
      await expect(firstTick(signedIn.client)).resolves.toEqual({ data: { ticks: user.id } });
      expect((await hostClient(app).post('/auth/logout', {}, access)).status).toBe(204);
      await expect(signedIn.ended).resolves.toEqual({ code: 4401, reason: 'The session ended' });
    } finally {
      await signedIn.client.dispose();
    }
  });

  /** A socket.io client of the host, connected. */
  async function connect(token?: string) {
    const socket = io(app.base, {
      transports: ['websocket'],
      reconnection: false,
      ...(token ? { auth: { token } } : {}),
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    return socket;
  }

  it('guards the gateway on the package’s socket.io adapter, and the TCP handlers of the hybrid app', async () => {
    const anonymous = await connect();
    try {
      await expect(anonymous.emitWithAck('ping', {})).resolves.toBe('pong');
      const refused = new Promise((resolve) => anonymous.once('exception', resolve));
      anonymous.emit('whoami', {});
      await expect(refused).resolves.toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    } finally {
      anonymous.close();
    }

    const socket = await connect(user.access);
    const tcp = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
    try {
      await expect(socket.emitWithAck('whoami', {})).resolves.toBe(user.id);
      const refused = new Promise((resolve) => socket.once('exception', resolve));
      socket.emit('admin', {});
      await expect(refused).resolves.toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });

      const send = (pattern: string, data: object) =>
        firstValueFrom(tcp.send<unknown>(pattern, data)).catch((error: unknown) => ({ error }));
      await expect(send('whoami', { n: 1 })).resolves.toEqual({
        error: expect.objectContaining({ statusCode: 401, code: 'UNAUTHENTICATED' }) as unknown,
      });
      await expect(
        send('whoami', { authorization: `Bearer ${user.access}`, n: 2 }),
      ).resolves.toEqual({ id: user.id, n: 2 });
      await expect(send('ping', {})).resolves.toBe('pong');

      // A logout ends the socket, saying why, and the token no longer reaches the handlers.
      const ended = new Promise((resolve) => socket.once('exception', resolve));
      const closed = new Promise((resolve) => socket.once('disconnect', resolve));
      expect((await hostClient(app).post('/auth/logout', {}, user.access)).status).toBe(204);
      await expect(ended).resolves.toMatchObject({
        statusCode: 401,
        code: 'INVALID_TOKEN',
        message: 'The session ended',
      });
      await closed;
      await expect(send('whoami', { authorization: `Bearer ${user.access}` })).resolves.toEqual({
        error: expect.objectContaining({ statusCode: 401 }) as unknown,
      });
      expect((await graphql('{ me { id } }', user.access)).errors?.[0].extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        gatehouseCode: 'INVALID_TOKEN',
      });
    } finally {
      socket.close();
      await tcp.close();
    }
  });
});
