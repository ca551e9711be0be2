import { Controller, Get, INestApplication, Module, UseGuards } from '@nestjs/common';
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
  ObjectLiteral,
  PrimaryGeneratedColumn,
  QueryRunner,
} from 'typeorm';
import {
  AuthModule,
  CurrentUser,
  JwtAuthGuard,
  TypeOrmUserStore,
  boundPostgresWaits,
  gatehouseSchema,
} from '../src';
import type { AuthUser } from '../src';
import { TestDatabase, createTestDatabase, databaseKinds } from './support/databases';

/**
 * A host on PostgreSQL with the users table it already had: UUID ids the database generates, a
 * text[] of roles, its own column names; Gatehouse's tables beside it under a prefix, with
 * PostgreSQL's types. Through the package's public face only, as a host writes it.
 */
@Entity({ name: 'users' })
class Member {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  @Column({ name: 'password_digest', type: 'varchar', length: 60, select: false })
  passwordDigest!: string;

  @Column({ type: 'text', array: true, default: () => "'{user}'" })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  suspended!: boolean;

  @Column({ name: 'full_name', type: 'varchar', length: 100 })
  fullName!: string;
}

const EXISTING = { email: 'ada@host.example', password: 'the password from 2021' };
const EXISTING_ID = '7d6f1e1a-5b3c-4d2e-9f80-1a2b3c4d5e6f';

class HostMembers1700000000000 implements MigrationInterface {
  name = 'HostMembers1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email varchar(320) NOT NULL UNIQUE, password_digest varchar(60) NOT NULL,
      roles text[] NOT NULL DEFAULT '{user}', suspended boolean NOT NULL DEFAULT false,
      full_name varchar(100) NOT NULL)`);
    await queryRunner.query(
      'INSERT INTO users (id, email, password_digest, roles, full_name) VALUES ($1, $2, $3, $4, $5)',
      [EXISTING_ID, EXISTING.email, hashSync(EXISTING.password, 4), ['user', 'admin'], 'Ada'],
    );
  }
  async down(): Promise<void> {}
}

@Controller('projects')
class ProjectsController {
  @Get('mine')
  @UseGuards(JwtAuthGuard)
  mine(@CurrentUser() user: AuthUser<string, { name: string }>) {
    return { owner: user.id, name: user.claims.name };
  }
}

const onPostgres = databaseKinds().includes('postgres') ? describe : describe.skip;

onPostgres('a host on PostgreSQL with its own users table (UUID ids)', () => {
  let db: TestDatabase;
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const login = async (credentials: { email: string; password: string }) =>
    (await http().post('/auth/login').send(credentials).expect(200)).body as {
      access_token: string;
      refresh_token: string;
    };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const gatehouse = gatehouseSchema({
      tablePrefix: 'auth_',
      users: false,
      databaseType: 'postgres',
    });
    @Module({
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            url: db.url,
            entities: [Member, ...gatehouse.entities],
            migrations: [HostMembers1700000000000, ...gatehouse.migrations],
            migrationsRun: true,
            // The bounds the README suggests for a host's own PostgreSQL connection.
            connectTimeoutMS: 5000,
            extra: {
              statement_timeout: 5000,
              lock_timeout: 5000,
              idle_in_transaction_session_timeout: 10_000,
              keepAlive: true,
            },
          }),
          dataSourceFactory: async (options) => {
            const dataSource = new DataSource(options!);
            const waits = boundPostgresWaits(dataSource, 5000);
            await dataSource.initialize();
            waits.arm();
            return dataSource;
          },
        }),
        AuthModule.forRoot({
          jwt: { secret: 'host-postgres-secret-0123456789abcdef0123456789' },
          bcryptCost: 4,
          globalGuards: false,
          users: {
            entity: Member,
            columns: {
              id: 'id',
              email: 'email',
              passwordHash: 'passwordDigest',
              roles: 'roles',
              disabled: 'suspended',
            },
            newUser: (user) => ({ fullName: user.email.split('@')[0] }),
            claims: (member) => ({ name: member.fullName }),
          },
          settings: {
            TOKEN_CLEANUP_INTERVAL: '0',
            MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'host-postgres-outbox-')),
          },
        }),
      ],
      controllers: [ProjectsController],
    })
    class HostModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("builds Gatehouse's tables beside the host's, with PostgreSQL's types", async () => {
    const columns = await app
      .get(DataSource)
      .query<Array<{ table_name: string; column_name: string; data_type: string }>>(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name LIKE 'auth\\_%'",
      );
    const type = (table: string, column: string) =>
      columns.find((c) => c.table_name === table && c.column_name === column)?.data_type;
    expect(type('auth_tokens', 'jti')).toBe('uuid');
    expect(type('auth_tokens', 'user_id')).toBe('character varying');
    expect(type('auth_tokens', 'expires_at')).toBe('timestamp with time zone');
    expect(type('auth_sessions', 'revoked')).toBe('boolean');
    expect(columns.some((c) => c.table_name === 'auth_users')).toBe(false);
  });

  it('lets the existing account in with its existing password, and hands the host its UUID', async () => {
    const { access_token } = await login(EXISTING);
    const mine = await http()
      .get('/projects/mine')
      .auth(access_token, { type: 'bearer' })
      .expect(200);
    expect(mine.body).toEqual({ owner: EXISTING_ID, name: 'Ada' });
    await http().get('/projects/mine').expect(401);
    const me = await http().get('/users/me').auth(access_token, { type: 'bearer' }).expect(200);
    expect(me.body).toMatchObject({ id: EXISTING_ID, roles: ['user', 'admin'] });
  });

  it("registers into the host's table, the id the database's own", async () => {
    const credentials = { email: 'grace@host.example', password: 'a brand new password' };
    const { body } = await http().post('/auth/register').send(credentials).expect(201);
    expect(body.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const [row] = await app
      .get(DataSource)
      .query<Array<{ full_name: string; roles: string[] }>>(
        'SELECT full_name, roles FROM users WHERE id = $1',
        [body.id],
      );
    expect(row).toEqual({ full_name: 'grace', roles: ['user'] });
    await login(credentials);
  });

  it('answers 404 for an id a uuid column cannot hold, never 500', async () => {
    const admin = (await login(EXISTING)).access_token;
    for (const id of [
      '42',
      EXISTING_ID.toUpperCase(),
      'not-a-uuid',
      '00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await http()
        .post(`/admin/users/${id}/revoke-sessions`)
        .auth(admin, { type: 'bearer' });
      expect([id, res.status, res.body.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
  });

  it('rotates a refresh token once: a second use at the same moment is a replay, and ends the session', async () => {
    const pair = await login(EXISTING);
    const use = () => http().post('/auth/refresh').send({ refresh_token: pair.refresh_token });
    const [a, b] = await Promise.all([use(), use()]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const rotated = (a.status === 200 ? a : b).body as { access_token: string };
    await http().get('/projects/mine').auth(rotated.access_token, { type: 'bearer' }).expect(401);
  });

  it('refuses every token of the session after logout', async () => {
    const pair = await login(EXISTING);
    await http().post('/auth/logout').auth(pair.access_token, { type: 'bearer' }).expect(204);
    await http().get('/projects/mine').auth(pair.access_token, { type: 'bearer' }).expect(401);
    await http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(401);
  });

  it('suspends a member through the admin routes: the live token is refused at once', async () => {
    const member = { email: 'linus@host.example', password: 'soon to be suspended' };
    const { id } = (await http().post('/auth/register').send(member).expect(201)).body as {
      id: string;
    };
    const token = (await login(member)).access_token;
    const admin = (await login(EXISTING)).access_token;
    await http()
      .patch(`/admin/users/${id}`)
      .auth(admin, { type: 'bearer' })
      .send({ disabled: true })
      .expect(200);
    await http().get('/projects/mine').auth(token, { type: 'bearer' }).expect(401);
    const [row] = await app
      .get(DataSource)
      .query<Array<{ suspended: boolean }>>('SELECT suspended FROM users WHERE id = $1', [id]);
    expect(row.suspended).toBe(true);
  });
});

/** Integer ids of every width, as hosts on PostgreSQL have them (serial, bigserial, smallint). */
@Entity({ name: 'int_members' })
class IntMember {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'password_digest', type: 'varchar', length: 60 })
  passwordDigest!: string;
}

@Entity({ name: 'big_members' })
class BigMember {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'password_digest', type: 'varchar', length: 60 })
  passwordDigest!: string;
}

@Entity({ name: 'small_members' })
class SmallMember {
  @PrimaryGeneratedColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'password_digest', type: 'varchar', length: 60 })
  passwordDigest!: string;
}

onPostgres("a host's integer ids on PostgreSQL", () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      entities: [IntMember, BigMember, SmallMember],
      synchronize: true,
    });
    await dataSource.initialize();
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  const columns = { id: 'id', email: 'email', passwordHash: 'passwordDigest' };

  it.each([
    ['serial', IntMember, ['2147483648', '3000000000', '99999999999999999999', 'abc', '-1']],
    ['bigserial', BigMember, ['9223372036854775808', '99999999999999999999', 'abc', '1e3']],
    ['smallint', SmallMember, ['32768', '70000']],
  ] as const)(
    'finds no account, and raises no error, for an id a %s column cannot hold',
    async (_type, entity, ids) => {
      const store = new TypeOrmUserStore<ObjectLiteral>(dataSource, { entity, columns });
      const created = await store.create({
        email: `${_type}@host.example`,
        passwordHash: 'x',
        roles: [],
        emailVerified: false,
      });
      await expect(store.findById(created.id)).resolves.toMatchObject({
        email: `${_type}@host.example`,
      });
      for (const id of ids) await expect(store.findById(id)).resolves.toBeNull();
    },
  );
});
