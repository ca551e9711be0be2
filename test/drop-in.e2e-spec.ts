import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { ROLE_ADMIN, ROLE_USER, UsersService } from '../src';
import { HostAppModule } from './drop-in/host-app.module';

/**
 * AuthModule.forRootAsync in an application of its own (test/drop-in): none of Gatehouse's
 * bootstrap (no configureApp, no global pipe or filter of ours), only what `src/index.ts` exports.
 */
describe('AuthModule dropped into another application', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const password = 'host-user-password-1';

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(() => app.close());

  async function signIn(email: string, admin = false) {
    const { body } = await http().post('/auth/register').send({ email, password }).expect(201);
    if (admin)
      await app.get(UsersService).setRoles((body as { id: string }).id, [ROLE_USER, ROLE_ADMIN]);
    const login = await http().post('/auth/login').send({ email, password }).expect(200);
    return {
      id: (body as { id: string }).id,
      ...(login.body as { access_token: string; refresh_token: string }),
    };
  }

  it('issues tokens signed with the application’s settings', async () => {
    const { access_token } = await signIn('claims@host.example');
    const claims = JSON.parse(
      Buffer.from(access_token.split('.')[1], 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'host-app', aud: 'host-api' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
  });

  it('protects the application’s controller with @UseGuards(JwtAuthGuard, RolesGuard)', async () => {
    const user = await signIn('user@host.example');
    const mine = await http()
      .get('/reports/mine')
      .set('Authorization', `Bearer ${user.access_token}`)
      .expect(200);
    expect(mine.body).toEqual({ owner: user.id, roles: [ROLE_USER] });
    const refused = await http().get('/reports/mine').expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    await http().get('/reports/mine').set('Authorization', 'Bearer not.a.token').expect(401);
    await http().get('/reports/status').expect(200, { ok: true });
  });

  it('enforces @Roles(): 403 for a user, 200 for an admin', async () => {
    const user = await signIn('plain@host.example');
    const forbidden = await http()
      .get('/reports/all')
      .set('Authorization', `Bearer ${user.access_token}`)
      .expect(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    const admin = await signIn('admin@host.example', true);
    await http()
      .get('/reports/all')
      .set('Authorization', `Bearer ${admin.access_token}`)
      .expect(200);
  });

  it('takes routes beside useFactory in forRootAsync: the excluded group is not mounted', async () => {
    await http().get('/.well-known/jwks.json').expect(404);
    await http().post('/auth/login').send({ email: 'x@host.example', password }).expect(401);
  });

  it('leaves unguarded application routes alone, and keeps its own routes guarded', async () => {
    await http().get('/open').expect(200, { open: true });
    await http().get('/users/me').expect(401);
    await http().post('/auth/logout-all').expect(401);
  });

  it('validates input on its own routes without the application’s help', async () => {
    const res = await http()
      .post('/auth/register')
      .send({ email: 'x@host.example', password, admin: true })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a token once its session is logged out (the revocation store is in the loop)', async () => {
    const user = await signIn('logout@host.example');
    const bearer = `Bearer ${user.access_token}`;
    await http().get('/reports/mine').set('Authorization', bearer).expect(200);
    await http()
      .post('/auth/logout')
      .set('Authorization', bearer)
      .send({ refresh_token: user.refresh_token })
      .expect(204);
    await http().get('/reports/mine').set('Authorization', bearer).expect(401);
  });
});
