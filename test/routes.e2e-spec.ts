import {
  Controller,
  Get,
  INestApplication,
  MiddlewareConsumer,
  Module,
  NestModule,
  Param,
  ParseIntPipe,
  Post,
  RequestMethod,
  Type,
} from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { GatehouseRoutes } from '../src';
import { inMemoryHost } from './support/host-module';

/** The host's own users resource: an integer id, parsed strictly. */
@Controller('users')
class HostUsersController {
  @Get(':id')
  one(@Param('id', ParseIntPipe) id: number) {
    return { id, from: 'host' };
  }
}

const hostModule = (routes: GatehouseRoutes, settings: Record<string, string> = {}) =>
  inMemoryHost({ routes, settings, controllers: [HostUsersController] });

async function boot(module: Type, globalPrefix?: string) {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({ logger: ['error'] });
  if (globalPrefix) app.setGlobalPrefix(globalPrefix);
  await app.init();
  return app;
}

describe('Gatehouse mounted under a prefix of the host’s choosing', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const credentials = { email: 'ada@host.example', password: 'correct horse battery staple' };

  beforeAll(async () => {
    app = await boot(hostModule({ prefix: '/identity/', exclude: ['admin', 'introspection'] }));
    await http().post('/identity/auth/register').send(credentials).expect(201);
  });
  afterAll(() => app.close());

  it('serves every route under the prefix, and none at the root', async () => {
    const newcomer = { email: 'newcomer@host.example', password: 'correct horse battery staple' };
    await http().post('/identity/auth/register').send(newcomer).expect(201);
    const login = await http().post('/identity/auth/login').send(newcomer).expect(200);
    const token = (login.body as { access_token: string }).access_token;
    await http().get('/identity/users/me').set('Authorization', `Bearer ${token}`).expect(200);
    await http().get('/identity/.well-known/jwks.json').expect(200);
    await http().post('/auth/login').send(credentials).expect(404);
    await http().get('/.well-known/jwks.json').expect(404);
  });

  it('leaves the host’s GET /users/:id alone, and is not shadowed by it', async () => {
    await http().get('/users/7').expect(200, { id: 7, from: 'host' });
    // /users/me is the host's here: its ParseIntPipe refuses "me".
    await http().get('/users/me').expect(400);
    const login = await http().post('/identity/auth/login').send(credentials).expect(200);
    const me = await http()
      .get('/identity/users/me')
      .set('Authorization', `Bearer ${(login.body as { access_token: string }).access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: credentials.email });
  });

  it('has no route of an excluded group', async () => {
    const login = await http().post('/identity/auth/login').send(credentials).expect(200);
    const bearer = `Bearer ${(login.body as { access_token: string }).access_token}`;
    await http().get('/identity/admin/users').set('Authorization', bearer).expect(404);
    await http().post('/identity/oauth2/introspect').send({ token: 'x' }).expect(404);
    // Revocation is not introspection: it stays.
    await http().post('/identity/oauth2/revoke').send({ token: 'x' }).expect(200);
  });
});

describe('the refresh cookie under a global prefix and a mount prefix', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    const module = hostModule(
      { prefix: 'identity' },
      { AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_ORIGINS: 'https://app.example.com' },
    );
    app = await boot(module, 'api');
  });
  afterAll(() => app.close());

  it('is scoped to the auth routes where they really are', async () => {
    const credentials = { email: 'grace@host.example', password: 'correct horse battery staple' };
    const origin = { Origin: 'https://app.example.com' };
    await request(app.getHttpServer())
      .post('/api/identity/auth/register')
      .set(origin)
      .send(credentials)
      .expect(201);
    const login = await request(app.getHttpServer())
      .post('/api/identity/auth/login')
      .set(origin)
      .send(credentials)
      .expect(200);
    expect(login.headers['set-cookie']?.[0]).toMatch(/; Path=\/api\/identity\/auth;/);
  });
});

describe('a misconfigured mount', () => {
  it('stops at boot naming the option', async () => {
    await expect(async () => boot(hostModule({ exclude: ['admins' as never] }))).rejects.toThrow(
      /routes\.exclude has unknown group\(s\) admins/,
    );
  });

  it('stops at boot when verified emails are required but the routes that verify them are left out', async () => {
    await expect(
      boot(hostModule({ exclude: ['account-mails'] }, { AUTH_REQUIRE_VERIFIED_EMAIL: 'true' })),
    ).rejects.toThrow(/needs the 'account-mails' routes: do not list them in routes\.exclude/);
  });
});

describe('a host route that would take Gatehouse’s requests', () => {
  /** A host resource registered before Gatehouse's, with the very path of one of its routes. */
  @Controller()
  class HostLoginController {
    @Post('auth/login')
    login() {
      return { from: 'host' };
    }
  }

  it('stops the boot on Express, naming both routes and routes.prefix', async () => {
    const boot$ = boot(hostModule({}));
    await expect(boot$).rejects.toThrow(/GET \/users\/:id answers Gatehouse's GET \/users\/me/);
    await expect(boot$).rejects.toThrow(/routes\.prefix/);
  });

  it('names a route declared twice too, and sees through the global prefix', async () => {
    const module = inMemoryHost({
      controllers: [HostLoginController],
      routes: { exclude: ['admin'] },
    });
    await expect(boot(module, 'api')).rejects.toThrow(
      /POST \/api\/auth\/login is declared by the application too/,
    );
  });

  it('takes the application’s middleware for what it is: it passes requests on, and answers none', async () => {
    const seen: string[] = [];
    @Module({ imports: [inMemoryHost({})] })
    class WithMiddleware implements NestModule {
      configure(consumer: MiddlewareConsumer) {
        const note = (req: { url: string }, _res: unknown, next: () => void) => {
          seen.push(req.url);
          next();
        };
        consumer.apply(note).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
        consumer.apply(note).forRoutes({ path: 'auth/login', method: RequestMethod.POST });
      }
    }
    const app = await boot(WithMiddleware);
    try {
      await request(app.getHttpServer()).get('/users/me').expect(401);
      expect(seen).toContain('/users/me');
    } finally {
      await app.close();
    }
  });

  it('lets the host keep both once Gatehouse is mounted elsewhere (the first suite), or its route comes after', async () => {
    // Registered after Gatehouse's (an imported module's routes come after the root's): no clash.
    @Module({ controllers: [HostUsersController] })
    class HostUsersModule {}
    @Module({ imports: [inMemoryHost({}), HostUsersModule] })
    class Root {}
    const app = await boot(Root);
    try {
      await request(app.getHttpServer()).get('/users/7').expect(200, { id: 7, from: 'host' });
      await request(app.getHttpServer()).get('/users/me').expect(401);
    } finally {
      await app.close();
    }
  });

  it('boots on Fastify, whose router prefers /users/me to /users/:id', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [hostModule({})] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: ['error'],
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      await request(app.getHttpServer()).get('/users/7').expect(200, { id: 7, from: 'host' });
      await request(app.getHttpServer()).get('/users/me').expect(401);
    } finally {
      await app.close();
    }
  });
});

describe('Gatehouse’s protections in a host with none of the standalone server’s global setup', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await boot(hostModule({ prefix: 'identity' }));
  });
  afterAll(() => app.close());

  it('refuses a body in a media type the route does not take: 415, in Gatehouse’s error shape', async () => {
    const res = await http()
      .post('/identity/auth/login')
      .set('Content-Type', 'text/plain')
      .send('email=a@b.c')
      .expect(415);
    expect(res.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('refuses a body larger than its routes take, though the host’s parser would allow it: 413', async () => {
    const res = await http()
      .post('/identity/auth/register')
      .send({ email: 'big@host.example', password: 'x'.repeat(80 * 1024) })
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers its own validation and routing errors in its error shape, with a request id', async () => {
    const invalid = await http()
      .post('/identity/auth/register')
      .send({ email: 'nope' })
      .expect(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const credentials = { email: 'admin@host.example', password: 'correct horse battery staple' };
    await http().post('/identity/auth/register').send(credentials).expect(201);
    const { access_token } = (
      await http().post('/identity/auth/login').send(credentials).expect(200)
    ).body as { access_token: string };
    // Not an admin: refused before the id is even looked at.
    const forbidden = await http()
      .get('/identity/admin/users')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect(forbidden.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
