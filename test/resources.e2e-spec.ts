import { databaseKinds } from './support/databases';
import { TestApp, createTestApp } from './support/test-app';

describe.each(databaseKinds())('example resource and docs on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  describe('/notes, guarded per route with @UseGuards', () => {
    it('creates, lists, reads and deletes the caller’s notes', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      const created = await t
        .http()
        .post('/notes')
        .auth(access, { type: 'bearer' })
        .send({ title: 'Rotate keys', body: 'Soon.' })
        .expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), title: 'Rotate keys' });
      const list = await t.http().get('/notes').auth(access, { type: 'bearer' }).expect(200);
      expect(list.body).toHaveLength(1);
      await t.http().get(`/notes/${created.body.id}`).auth(access, { type: 'bearer' }).expect(200);
      await t
        .http()
        .delete(`/notes/${created.body.id}`)
        .auth(access, { type: 'bearer' })
        .expect(204);
      await t.http().get(`/notes/${created.body.id}`).auth(access, { type: 'bearer' }).expect(404);
    });

    it('keeps one user out of another’s notes', async () => {
      const alice = await t.register();
      const bob = await t.register();
      const a = await t.login(alice.email, alice.password);
      const b = await t.login(bob.email, bob.password);
      const note = await t
        .http()
        .post('/notes')
        .auth(a.access, { type: 'bearer' })
        .send({ title: 't', body: 'b' })
        .expect(201);
      await t.http().get(`/notes/${note.body.id}`).auth(b.access, { type: 'bearer' }).expect(404);
      await t
        .http()
        .delete(`/notes/${note.body.id}`)
        .auth(b.access, { type: 'bearer' })
        .expect(404);
      expect(
        (await t.http().get('/notes').auth(b.access, { type: 'bearer' }).expect(200)).body,
      ).toEqual([]);
    });

    it('refuses anonymous and revoked callers', async () => {
      await t.http().get('/notes').expect(401);
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      await t.http().post('/auth/logout').auth(access, { type: 'bearer' }).expect(204);
      await t.http().get('/notes').auth(access, { type: 'bearer' }).expect(401);
    });

    it('refuses a malformed id and an invalid note with 400', async () => {
      const { email, password } = await t.register();
      const { access } = await t.login(email, password);
      await t.http().get('/notes/not-a-uuid').auth(access, { type: 'bearer' }).expect(400);
      await t
        .http()
        .post('/notes')
        .auth(access, { type: 'bearer' })
        .send({ title: '' })
        .expect(400);
    });
  });

  describe('unknown routes', () => {
    it('answer 404 with the error shape', async () => {
      const res = await t.http().get('/nope').expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
        message: 'Cannot GET /nope',
      });
    });
  });

  describe('Swagger', () => {
    it('serves Swagger UI at /docs', async () => {
      const res = await t.http().get('/docs').redirects(1).expect(200);
      expect(res.text).toMatch(/swagger/i);
    });

    it('documents bearer and an OAuth2 password flow pointing at /auth/token', async () => {
      const { body } = await t.http().get('/docs-json').expect(200);
      expect(body.components.securitySchemes).toMatchObject({
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/token', scopes: {} } } },
      });
    });

    it('marks exactly the non-public operations as secured, with a 401 response', async () => {
      const { body } = await t.http().get('/docs-json').expect(200);
      const op = (path: string, method: string) => body.paths[path][method];
      for (const [path, method] of [
        ['/auth/register', 'post'],
        ['/auth/login', 'post'],
        ['/auth/token', 'post'],
        ['/auth/refresh', 'post'],
      ]) {
        expect(op(path, method).security).toEqual([]);
        expect(op(path, method)['x-gatehouse-public']).toBeUndefined();
      }
      for (const [path, method] of [
        ['/users/me', 'get'],
        ['/auth/logout', 'post'],
        ['/admin/users', 'get'],
        ['/notes', 'get'],
      ]) {
        expect(op(path, method).security).toEqual([{ bearer: [] }, { oauth2: [] }]);
        expect(op(path, method).responses['401']).toBeDefined();
      }
      expect(op('/admin/users', 'get').responses['403']).toBeDefined();
    });

    it('documents the token endpoint as form-encoded', async () => {
      const { body } = await t.http().get('/docs-json').expect(200);
      expect(Object.keys(body.paths['/auth/token'].post.requestBody.content)).toContain(
        'application/x-www-form-urlencoded',
      );
    });
  });
});

describe('bootstrap admin', () => {
  it('creates the configured admin once, who can reach the admin routes', async () => {
    const t = await createTestApp('sqlite', {
      BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap-password',
    });
    try {
      const { access } = await t.login('root@example.com', 'bootstrap-password');
      const res = await t.http().get('/admin/users').auth(access, { type: 'bearer' }).expect(200);
      expect(res.body.items[0]).toMatchObject({
        email: 'root@example.com',
        roles: ['user', 'admin'],
      });
    } finally {
      await t.close();
      delete process.env.BOOTSTRAP_ADMIN_EMAIL;
      delete process.env.BOOTSTRAP_ADMIN_PASSWORD;
    }
  });
});
