import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AuthModule, gatehouseSchema } from '../src';
import type { BreachedPasswordCheck } from '../src';
import { inMemoryHost } from './support/host-module';

/** The host's breached-password service: here, a list; in production, a k-anonymity range query. */
@Injectable()
class KnownBreaches implements BreachedPasswordCheck {
  static asked: string[] = [];
  isBreached(password: string): Promise<boolean> {
    KnownBreaches.asked.push(password);
    return Promise.resolve(password.startsWith('leaked '));
  }
}

describe('a breached-password service plugged in by the host', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [inMemoryHost({ breachedPasswords: { useClass: KnownBreaches } })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(() => app.close());

  it('refuses a new password it names, at registration and at a change, and asks it nothing else', async () => {
    const refused = await http()
      .post('/auth/register')
      .send({ email: 'eve@host.example', password: 'leaked one from 2019' })
      .expect(400);
    expect(refused.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: ['password appears in a known data breach: choose another'],
    });

    const credentials = { email: 'ada@host.example', password: 'not in any breach here' };
    await http().post('/auth/register').send(credentials).expect(201);
    const { access_token } = (await http().post('/auth/login').send(credentials).expect(200))
      .body as { access_token: string };
    await http()
      .post('/auth/password')
      .set('Authorization', `Bearer ${access_token}`)
      .send({ current_password: credentials.password, new_password: 'leaked two from 2021' })
      .expect(400);
    // Logins are not new passwords: the service is asked about new ones only.
    expect(KnownBreaches.asked).toEqual([
      'leaked one from 2019',
      'not in any breach here',
      'leaked two from 2021',
    ]);
  });
});

/** What a real service needs: a client of the host's, from a module of the host's. */
@Injectable()
class RangeClient {
  readonly leaked = new Set(['leaked by the range api']);
}
@Module({ providers: [RangeClient], exports: [RangeClient] })
class RangeModule {}

@Injectable()
class RangeBreaches implements BreachedPasswordCheck {
  constructor(private readonly client: RangeClient) {}
  isBreached(password: string): Promise<boolean> {
    return Promise.resolve(this.client.leaked.has(password));
  }
}

describe('a breached-password service with dependencies from forRootAsync imports', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    const schema = gatehouseSchema();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: schema.entities,
          migrations: schema.migrations,
          migrationsRun: true,
        }),
        AuthModule.forRootAsync({
          imports: [RangeModule],
          inject: [RangeClient],
          breachedPasswords: { useClass: RangeBreaches },
          useFactory: () => ({
            jwt: { secret: 'range-host-secret-0123456789abcdef0123456789ab' },
            bcryptCost: 4,
            globalGuards: false,
            settings: {
              TOKEN_CLEANUP_INTERVAL: '0',
              MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'range-outbox-')),
            },
          }),
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(() => app.close());

  it('boots, and the service refuses what its client names', async () => {
    await request(app.getHttpServer())
      .post('/auth/register')
      .send({ email: 'eve@host.example', password: 'leaked by the range api' })
      .expect(400);
    await request(app.getHttpServer())
      .post('/auth/register')
      .send({ email: 'ada@host.example', password: 'not leaked by anything' })
      .expect(201);
  });
});
