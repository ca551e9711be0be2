import { Controller, Get, INestApplication, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { hashSync } from 'bcryptjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  Column,
  DataSource,
  Entity,
  MigrationInterface,
  PrimaryGeneratedColumn,
  QueryRunner,
} from 'typeorm';
import {
  AccountErasure,
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  USER_STORE,
  gatehouseSchema,
} from '../src';
import type { AuthUser, GatehouseUser, NewGatehouseUser, UserStore } from '../src';
import { inMemoryHost } from './support/host-module';

/** The host's accounts, as they were before Gatehouse: integer ids, its own column names. */
@Entity({ name: 'users' })
class Account {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'email_address', type: 'varchar', length: 255, unique: true })
  email!: string;

  @Column({ name: 'pw', type: 'varchar', length: 60, select: false })
  password!: string;

  @Column({ type: 'varchar', length: 64, default: 'user' })
  roles!: string;

  @Column({ type: 'boolean', default: false })
  blocked!: boolean;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName!: string;
}

const EXISTING = { email: 'old.timer@host.example', password: 'the password from 2019' };

/** The host's own migration, with an account that predates Gatehouse (a bcrypt hash of its own). */
class HostAccounts1700000000000 implements MigrationInterface {
  name = 'HostAccounts1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT,
      email_address varchar(255) NOT NULL UNIQUE, pw varchar(60) NOT NULL,
      roles varchar(64) NOT NULL DEFAULT 'user', blocked boolean NOT NULL DEFAULT 0,
      display_name varchar(100) NOT NULL)`);
    await queryRunner.query(
      'INSERT INTO users (email_address, pw, roles, display_name) VALUES (?, ?, ?, ?)',
      [EXISTING.email, hashSync(EXISTING.password, 4), 'user,admin', 'Old Timer'],
    );
  }
  async down(): Promise<void> {}
}

@Controller('reports')
class ReportsController {
  @Get('mine')
  @UseGuards(JwtAuthGuard)
  mine(@CurrentUser() user: AuthUser<number, { name: string }>) {
    return { id: user.id, type: typeof user.id, name: user.claims.name };
  }
}

const gatehouse = gatehouseSchema({ tablePrefix: 'gh_', users: false });

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: join(mkdtempSync(join(tmpdir(), 'host-users-')), 'host.sqlite'),
      entities: [Account, ...gatehouse.entities],
      migrations: [HostAccounts1700000000000, ...gatehouse.migrations],
      migrationsRun: true,
    }),
    AuthModule.forRoot({
      jwt: { secret: 'host-users-secret-0123456789abcdef0123456789' },
      bcryptCost: 4,
      globalGuards: false,
      routes: { prefix: 'identity' },
      users: {
        entity: Account,
        columns: {
          id: 'id',
          email: 'email',
          passwordHash: 'password',
          roles: 'roles',
          disabled: 'blocked',
        },
        newUser: (user) => ({ displayName: user.email.split('@')[0] }),
        claims: (account) => ({ name: account.displayName }),
      },
      settings: {
        TOKEN_CLEANUP_INTERVAL: '0',
        MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'host-users-outbox-')),
      },
    }),
  ],
  controllers: [ReportsController],
})
class HostModule {}

describe('a host that keeps its own users table (integer ids, its own columns and hashes)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const login = async (credentials: { email: string; password: string }) =>
    (await http().post('/identity/auth/login').send(credentials).expect(200)).body as {
      access_token: string;
    };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(() => app.close());

  it('lets an existing account log in with its existing password', async () => {
    const { access_token } = await login(EXISTING);
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString()) as {
      sub: string;
    };
    expect(claims.sub).toBe('1');
  });

  it('hands the host its own id type and the claims it asked for, without a query per request', async () => {
    const { access_token } = await login(EXISTING);
    const mine = await http()
      .get('/reports/mine')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    expect(mine.body).toEqual({ id: 1, type: 'number', name: 'Old Timer' });
    await http().get('/reports/mine').expect(401);
    const me = await http()
      .get('/identity/users/me')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({ id: '1', email: EXISTING.email, roles: ['user', 'admin'] });
  });

  it('registers new accounts into the host’s table, and creates no users table of its own', async () => {
    const credentials = { email: 'newcomer@host.example', password: 'a brand new password' };
    const registered = await http().post('/identity/auth/register').send(credentials).expect(201);
    expect(registered.body).toMatchObject({ id: '2', email: credentials.email });
    const dataSource = app.get(DataSource);
    const [row] = await dataSource.query<Array<Record<string, unknown>>>(
      'SELECT * FROM users WHERE id = 2',
    );
    expect(row).toMatchObject({
      email_address: credentials.email,
      display_name: 'newcomer',
      roles: 'user',
    });
    const runner = dataSource.createQueryRunner();
    expect(await runner.hasTable('gh_users')).toBe(false);
    expect(await runner.hasTable('gh_tokens')).toBe(true);
    await runner.release();
    await login(credentials);
  });

  it('refuses the token after logout', async () => {
    const { access_token } = await login(EXISTING);
    const bearer = `Bearer ${access_token}`;
    await http().get('/reports/mine').set('Authorization', bearer).expect(200);
    await http().post('/identity/auth/logout').set('Authorization', bearer).expect(204);
    await http().get('/reports/mine').set('Authorization', bearer).expect(401);
  });

  it('disables a host account through the admin routes: its live token is refused at once', async () => {
    const victim = { email: 'to.block@host.example', password: 'soon to be blocked' };
    const { id } = (await http().post('/identity/auth/register').send(victim).expect(201)).body as {
      id: string;
    };
    const token = (await login(victim)).access_token;
    await http().get('/reports/mine').set('Authorization', `Bearer ${token}`).expect(200);
    const admin = (await login(EXISTING)).access_token;
    await http()
      .patch(`/identity/admin/users/${id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ disabled: true })
      .expect(200);
    await http().get('/reports/mine').set('Authorization', `Bearer ${token}`).expect(401);
    const [row] = await app
      .get(DataSource)
      .query<Array<{ blocked: number }>>('SELECT blocked FROM users WHERE id = ?', [Number(id)]);
    expect(row.blocked).toBe(1);
    await http().post('/identity/auth/login').send(victim).expect(403);
  });

  it('forgets an account the host deletes: its tokens are refused at once, and a new account with its id inherits nothing', async () => {
    const gone = { email: 'leaving@host.example', password: 'about to delete this' };
    const { id } = (await http().post('/identity/auth/register').send(gone).expect(201)).body as {
      id: string;
    };
    const session = (await http().post('/identity/auth/login').send(gone).expect(200)).body as {
      access_token: string;
      refresh_token: string;
    };
    await http()
      .get('/reports/mine')
      .set('Authorization', `Bearer ${session.access_token}`)
      .expect(200);
    await http().post('/identity/auth/password/forgot').send({ email: gone.email }).expect(202);
    const data = app.get(DataSource);
    const links = () =>
      data.query<Array<{ n: number }>>(
        'SELECT count(*) AS n FROM gh_one_time_tokens WHERE user_id = ?',
        [id],
      );
    // The verification link mailed at registration, and the reset link.
    expect((await links())[0].n).toBe(2);

    // The host deletes the account in its own table, then tells Gatehouse.
    await data.query('DELETE FROM users WHERE id = ?', [Number(id)]);
    await expect(app.get(AccountErasure).forget(Number(id))).resolves.toEqual({
      revokedTokens: 2,
      deletedRecords: 2,
    });
    await http()
      .get('/reports/mine')
      .set('Authorization', `Bearer ${session.access_token}`)
      .expect(401);
    await http()
      .post('/identity/auth/refresh')
      .send({ refresh_token: session.refresh_token })
      .expect(401);

    // The id comes back, as it can in some hosts (here the host writes the row itself).
    const next = { email: 'arriving@host.example', password: 'a fresh account here' };
    await data.query(
      'INSERT INTO users (id, email_address, pw, roles, display_name) VALUES (?, ?, ?, ?, ?)',
      [Number(id), next.email, hashSync(next.password, 4), 'user', 'Arriving'],
    );
    expect((await links())[0].n).toBe(0);
    const fresh = (await login(next)).access_token;
    await http().get('/reports/mine').set('Authorization', `Bearer ${fresh}`).expect(200);
    await http()
      .get('/reports/mine')
      .set('Authorization', `Bearer ${session.access_token}`)
      .expect(401);
  });
});

describe('a misconfigured host', () => {
  /** Boots a host like the one above, with one thing changed; resolves to the boot's error. */
  async function bootError(change: {
    users?: Record<string, unknown>;
    entities?: unknown[];
    migrationsRun?: boolean;
  }): Promise<Error> {
    const schema = gatehouseSchema({ tablePrefix: 'gh_', users: false });
    @Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: (change.entities ?? [Account, ...schema.entities]) as never,
          migrations: [HostAccounts1700000000000, ...schema.migrations],
          migrationsRun: change.migrationsRun ?? true,
        }),
        AuthModule.forRoot({
          jwt: { secret: 'host-users-secret-0123456789abcdef0123456789' },
          globalGuards: false,
          users: {
            entity: Account,
            columns: {
              id: 'id',
              email: 'email',
              passwordHash: 'password',
              roles: 'roles',
              disabled: 'blocked',
            },
            ...change.users,
          } as never,
          settings: { TOKEN_CLEANUP_INTERVAL: '0' },
        }),
      ],
    })
    class Misconfigured {}
    try {
      const moduleRef = await Test.createTestingModule({ imports: [Misconfigured] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      await app.close();
    } catch (error) {
      return error as Error;
    }
    throw new Error('booted');
  }

  it('a column property its entity does not have', async () => {
    const error = await bootError({
      users: {
        columns: {
          id: 'id',
          email: 'mail',
          passwordHash: 'password',
          roles: 'roles',
          disabled: 'blocked',
        },
      },
    });
    expect(error.message).toMatch(/users\.columns\.email: Account has no column property "mail"/);
  });

  it('an entity missing from the DataSource', async () => {
    const error = await bootError({ entities: [Account] });
    expect(error.message).toMatch(
      /Gatehouse's entities are not registered .*add gatehouseSchema\(\)\.entities/,
    );
  });

  it('migrations that did not run', async () => {
    const error = await bootError({ migrationsRun: false });
    expect(error.message).toMatch(
      /the table gh_tokens does not exist: add gatehouseSchema\(\)\.migrations/,
    );
  });

  it('admin routes with no column to disable an account in', async () => {
    const error = await bootError({
      users: { columns: { id: 'id', email: 'email', passwordHash: 'password', roles: 'roles' } },
    });
    expect(error.message).toMatch(
      /set users\.columns\.roles and users\.columns\.disabled, or leave them out with routes\.exclude/,
    );
  });
});

/** A store that is not TypeORM at all: an identity service, say, here a map. */
@Injectable()
class MemoryUsers implements UserStore {
  readonly accounts = new Map<string, GatehouseUser>([
    [
      'ext-1',
      {
        id: 'ext-1',
        email: 'sso@host.example',
        passwordHash: hashSync('from elsewhere', 4),
        roles: ['user'],
        disabled: false,
        emailVerifiedAt: new Date(0),
        claims: { tenant: 'acme' },
      },
    ],
  ]);
  findById(id: string) {
    return Promise.resolve(this.accounts.get(id) ?? null);
  }
  findByEmail(email: string) {
    return Promise.resolve([...this.accounts.values()].find((a) => a.email === email) ?? null);
  }
  create(user: NewGatehouseUser) {
    const account: GatehouseUser = {
      id: `ext-${this.accounts.size + 1}`,
      email: user.email,
      passwordHash: user.passwordHash,
      roles: user.roles,
      disabled: false,
      emailVerifiedAt: null,
    };
    this.accounts.set(account.id, account);
    return Promise.resolve(account);
  }
  async setPasswordHash(id: string, passwordHash: string) {
    (await this.findById(id))!.passwordHash = passwordHash;
  }
  async markEmailVerified(id: string, at: Date) {
    (await this.findById(id))!.emailVerifiedAt ??= at;
  }
  list(limit: number, offset: number) {
    const items = [...this.accounts.values()];
    return Promise.resolve({ items: items.slice(offset, offset + limit), total: items.length });
  }
  async setRoles(id: string, roles: string[]) {
    (await this.findById(id))!.roles = roles;
  }
  async setDisabled(id: string, disabled: boolean) {
    (await this.findById(id))!.disabled = disabled;
  }
}

describe('a host that brings a UserStore of its own (users: { useClass })', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    const MemoryHost = inMemoryHost({
      schema: { tablePrefix: 'mem_', users: false },
      users: { useClass: MemoryUsers },
      controllers: [ReportsController],
    });
    const moduleRef = await Test.createTestingModule({ imports: [MemoryHost] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(() => app.close());

  it('logs its accounts in, and registers new ones into it', async () => {
    const login = await request(app.getHttpServer())
      .post('/auth/login')
      .send({ email: 'sso@host.example', password: 'from elsewhere' })
      .expect(200);
    const bearer = `Bearer ${(login.body as { access_token: string }).access_token}`;
    const me = await request(app.getHttpServer())
      .get('/users/me')
      .set('Authorization', bearer)
      .expect(200);
    expect(me.body).toMatchObject({ id: 'ext-1', email: 'sso@host.example' });
    const store = app.get<MemoryUsers>(USER_STORE);
    expect(store).toBeInstanceOf(MemoryUsers);
    const registered = await request(app.getHttpServer())
      .post('/auth/register')
      .send({ email: 'second@host.example', password: 'another long password' })
      .expect(201);
    expect(store.accounts.get((registered.body as { id: string }).id)).toMatchObject({
      email: 'second@host.example',
    });
  });
});
