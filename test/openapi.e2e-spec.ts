import { Controller, Get, INestApplication, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiBearerAuth, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { JwtAuthGuard, Public, applyGatehouseSwagger } from '../src';
import { ERROR_STATUS, ErrorCode } from '../src/common/errors/domain-error';
import { inMemoryHost } from './support/host-module';
import {
  GATEHOUSE_TAGS,
  Media,
  NEWCOMER_TAGS,
  operationsWithBodies,
  prefilledBody,
} from './support/swagger-ui';
import { TestApp, createTestApp } from './support/test-app';

@Controller('reports')
class ReportsController {
  @Get('mine')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth('bearer')
  mine() {
    return [];
  }

  @Get('open')
  @Public()
  open() {
    return [];
  }

  @Get('plain')
  plain() {
    return [];
  }
}

const hostModule = (globalGuards: boolean) =>
  inMemoryHost({ globalGuards, routes: { prefix: 'identity' }, controllers: [ReportsController] });

/** The host's own document, as a team writes it, then the one call. */
async function hostDocument(globalGuards: boolean): Promise<OpenAPIObject> {
  const moduleRef = await Test.createTestingModule({
    imports: [hostModule(globalGuards)],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
  app.setGlobalPrefix('api');
  await app.init();
  try {
    const config = new DocumentBuilder().setTitle('Host').build();
    return applyGatehouseSwagger(app, SwaggerModule.createDocument(app, config));
  } finally {
    await app.close();
  }
}

type Operation = { security?: unknown; responses: Record<string, unknown> };
const op = (document: OpenAPIObject, path: string, method: string) =>
  (document.paths[path] as Record<string, Operation>)[method];

const PUBLIC = [
  ['/api/identity/auth/register', 'post'],
  ['/api/identity/auth/login', 'post'],
  ['/api/identity/auth/token', 'post'],
  ['/api/identity/auth/refresh', 'post'],
  ['/api/identity/auth/email/verify', 'post'],
  ['/api/identity/auth/password/forgot', 'post'],
  ['/api/identity/auth/2fa/verify', 'post'],
  ['/api/identity/oauth2/revoke', 'post'],
  ['/api/identity/.well-known/jwks.json', 'get'],
];
const GUARDED = [
  ['/api/identity/users/me', 'get'],
  ['/api/identity/auth/logout', 'post'],
  ['/api/identity/auth/password', 'post'],
  ['/api/identity/auth/sessions', 'get'],
  ['/api/identity/auth/2fa/setup', 'post'],
  ['/api/identity/admin/users', 'get'],
];

describe('applyGatehouseSwagger on a host’s own document', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await hostDocument(false);
  });

  it('requires bearer (or the password flow) on every guarded Gatehouse operation, with a 401', () => {
    for (const [path, method] of GUARDED) {
      expect(op(document, path, method).security).toEqual([{ bearer: [] }, { oauth2: [] }]);
      expect(op(document, path, method).responses['401']).toBeDefined();
    }
  });

  it('requires nothing on the public ones', () => {
    for (const [path, method] of PUBLIC) expect(op(document, path, method).security).toEqual([]);
  });

  it('leaves every Gatehouse operation accounted for: guarded, public, or with its own scheme', () => {
    let count = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/identity/')) continue;
      for (const operation of Object.values(item as Record<string, Operation>)) {
        count += 1;
        expect(operation.security).toBeDefined();
      }
    }
    expect(count).toBeGreaterThanOrEqual(25);
  });

  it('lists the password flow first, as Swagger UI’s Authorize dialog then shows it', () => {
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual([
      'oauth2',
      'bearer',
      'introspection-client',
    ]);
  });

  it('puts Gatehouse’s tags first, described, in the order a newcomer follows them', () => {
    expect(document.tags?.map(({ name }) => name)).toEqual(GATEHOUSE_TAGS);
    for (const tag of document.tags ?? []) expect(tag.description).toEqual(expect.any(String));
  });

  it('points Authorize’s password flow at the token endpoint where it is mounted', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      oauth2: {
        type: 'oauth2',
        flows: { password: { tokenUrl: '/api/identity/auth/token', scopes: {} } },
      },
      'introspection-client': { type: 'http', scheme: 'basic' },
    });
  });

  it('leaves no Gatehouse-private extension, and no reference that does not resolve', () => {
    const json = JSON.stringify(document);
    expect(json).not.toMatch(/"x-gatehouse/);
    for (const [, ref] of json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components?.schemas?.[ref]).toBeDefined();
    }
  });

  it('with globalGuards: false, leaves the host’s operations as the host wrote them', () => {
    expect(op(document, '/api/reports/mine', 'get').security).toEqual([{ bearer: [] }]);
    expect(op(document, '/api/reports/plain', 'get').security).toBeUndefined();
    expect(op(document, '/api/reports/open', 'get').security).toBeUndefined();
  });

  it('with the global guard, documents the host’s routes as it guards them', async () => {
    const guarded = await hostDocument(true);
    expect(op(guarded, '/api/reports/plain', 'get').security).toEqual([
      { bearer: [] },
      { oauth2: [] },
    ]);
    expect(op(guarded, '/api/reports/plain', 'get').responses['401']).toBeDefined();
    expect(op(guarded, '/api/reports/open', 'get').security).toEqual([]);
  });
});

type Example = Record<string, unknown>;
type Response = {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, Media & { schema?: { $ref?: string } }>;
};
type DocumentedOperation = { responses: Record<string, Response> };

const operation = (document: OpenAPIObject, path: string, method: string) =>
  (document.paths[path] as Record<string, DocumentedOperation>)[method];

/** The examples of one documented answer, by name. */
function examplesOf(document: OpenAPIObject, path: string, method: string, status: number) {
  const media = operation(document, path, method).responses[status]?.content?.['application/json'];
  return Object.fromEntries(
    Object.entries(media?.examples ?? {}).map(([name, { value }]) => [name, value as Example]),
  );
}

/** What a body of the server's real answer shows: the same keys, in the same order. */
const asShown = (body: unknown) => JSON.parse(JSON.stringify(body)) as unknown;

describe('the standalone server’s document, as Swagger UI gets it from /docs-json', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    document = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('lists the groups in the order a newcomer follows them, the app’s own after', () => {
    expect(document.tags?.map(({ name }) => name)).toEqual(NEWCOMER_TAGS);
    // Each group Swagger UI shows has operations: a tag without any would show an empty group.
    const used = new Set(
      Object.values(document.paths).flatMap((item) =>
        Object.values(item as Record<string, { tags?: string[] }>).flatMap((op) => op.tags ?? []),
      ),
    );
    expect([...used].sort()).toEqual(document.tags?.map(({ name }) => name).sort());
  });

  it('keeps operation ids, which generated SDKs name their methods after, unique and stable', () => {
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    // Served by TwoFactorLoginController since it moved to the auth feature; named as before.
    expect(document.paths['/auth/2fa/verify']?.post?.operationId).toBe(
      'TwoFactorController_verify',
    );
  });

  it('leads the Authorize dialog with the OAuth2 password flow', () => {
    const schemes = document.components?.securitySchemes ?? {};
    expect(Object.keys(schemes)[0]).toBe('oauth2');
    expect(schemes.oauth2).toMatchObject({ flows: { password: { tokenUrl: '/auth/token' } } });
  });

  it('says in its introduction how to log out of Swagger UI after POST /auth/logout', () => {
    expect(document.info.description).toMatch(
      /`POST \/auth\/logout`[^\n]*keeps the token[^\n]*\*\*Logout\*\* in the \*\*Authorize\*\* dialog/,
    );
  });

  it('shows a normal account as the example user: enabled, a user, not yet verified', () => {
    const register = operation(document, '/auth/register', 'post').responses['201'];
    const user = prefilledBody(document, register.content?.['application/json'] ?? {});
    expect(user).toMatchObject({
      email: 'ada@example.com',
      roles: ['user'],
      disabled: false,
      emailVerified: false,
    });
  });

  it('gives every error answer examples of its own status, in the shape the server writes', () => {
    const shapes: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, DocumentedOperation>)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const media = response.content?.['application/json'];
          if (Number(status) < 400 || !media || path.startsWith('/health')) continue;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          const examples = Object.values(examplesOf(document, path, method, Number(status)));
          if (examples.length === 0) shapes.push(`${where}: no example`);
          for (const example of examples) {
            shapes.push(`${where}: ${Object.keys(example).join(',')}`);
            expect({ where, statusCode: example.statusCode }).toEqual({
              where,
              statusCode: Number(status),
            });
            if (media.schema?.$ref !== '#/components/schemas/ErrorBody') continue;
            expect({ where, error: example.error }).toEqual({
              where,
              error: STATUS_CODES[Number(status)],
            });
            const code = example.code as ErrorCode;
            expect({ where, status: ERROR_STATUS[code] }).toEqual({
              where,
              status: Number(status),
            });
            if ('details' in example)
              expect({ where, code }).toEqual({ where, code: 'VALIDATION_FAILED' });
          }
          if (status === '429' || status === '503') {
            expect({ where, headers: response.headers }).toEqual({
              where,
              headers: { 'Retry-After': expect.anything() },
            });
          }
        }
      }
    }
    // Gatehouse's error shape (details on validation errors only), or RFC 6749's at /auth/token.
    for (const shape of shapes) {
      expect(shape).toMatch(
        /: (statusCode,error,code,message(,details)?|error,error_description,(mfa_token,expires_in,)?statusCode)$/,
      );
    }
  });

  it('names the code each route answers with', () => {
    const codes = (path: string, method: string, status: number) =>
      Object.values(examplesOf(document, path, method, status)).map(
        (example) => example.code ?? example.error,
      );
    expect(codes('/auth/register', 'post', 409)).toEqual(['EMAIL_TAKEN']);
    expect(codes('/auth/register', 'post', 400)).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    expect(codes('/auth/login', 'post', 401)).toEqual(['INVALID_CREDENTIALS']);
    // The usual refusals first, cookie mode's after.
    expect(codes('/auth/login', 'post', 403)).toEqual([
      'ACCOUNT_DISABLED',
      'EMAIL_NOT_VERIFIED',
      'ORIGIN_NOT_ALLOWED',
    ]);
    expect(codes('/auth/refresh', 'post', 401)).toEqual([
      'INVALID_REFRESH_TOKEN',
      'REFRESH_TOKEN_REUSED',
    ]);
    expect(codes('/users/me', 'get', 401)).toEqual(['UNAUTHENTICATED', 'INVALID_TOKEN']);
    expect(codes('/auth/2fa/setup', 'post', 401)).toEqual([
      'REAUTHENTICATION_REQUIRED',
      'UNAUTHENTICATED',
      'INVALID_TOKEN',
    ]);
    expect(codes('/auth/2fa/verify', 'post', 401)).toEqual([
      'INVALID_MFA_TOKEN',
      'INVALID_TWO_FACTOR_CODE',
      'PASSKEY_REFUSED',
    ]);
    expect(codes('/auth/passkeys/login', 'post', 401)).toEqual(['PASSKEY_REFUSED']);
    expect(codes('/admin/users', 'get', 403)).toEqual(['FORBIDDEN']);
    expect(codes('/auth/token', 'post', 400)).toEqual([
      'invalid_grant',
      'invalid_request',
      'unsupported_grant_type',
    ]);
    expect(codes('/auth/token', 'post', 403)).toEqual(['mfa_required']);
    expect(codes('/auth/token', 'post', 429)).toEqual(['temporarily_unavailable']);
    for (const path of ['/auth/register', '/auth/login', '/auth/2fa/verify']) {
      expect(codes(path, 'post', 429)).toContain('TOO_MANY_REQUESTS');
    }
  });

  it('shows, word for word, what the server answers', async () => {
    const http = t.http;
    const { email, password } = await t.register();
    const account = { email, password };
    const example = (path: string, method: string, status: number, name: string) =>
      examplesOf(document, path, method, status)[name];

    const taken = await http().post('/auth/register').send(account).expect(409);
    expect(asShown(taken.body)).toEqual(example('/auth/register', 'post', 409, 'EMAIL_TAKEN'));
    const invalid = await http()
      .post('/auth/register')
      .send({ email: 'ada.example.com', password: 'kq7' })
      .expect(400);
    expect(asShown(invalid.body)).toEqual(
      example('/auth/register', 'post', 400, 'VALIDATION_FAILED: fields that break their rules'),
    );
    const unknown = await http()
      .post('/auth/register')
      .send({ ...account, role: 'admin' })
      .expect(400);
    expect(asShown(unknown.body)).toEqual(
      example('/auth/register', 'post', 400, 'VALIDATION_FAILED: a field the route does not take'),
    );
    const wrong = await http()
      .post('/auth/login')
      .send({ email: account.email, password: `${account.password}x` })
      .expect(401);
    expect(asShown(wrong.body)).toEqual(example('/auth/login', 'post', 401, 'INVALID_CREDENTIALS'));
    const grant = await http()
      .post('/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: account.email, password: 'not it' })
      .expect(400);
    expect(asShown(grant.body)).toEqual(example('/auth/token', 'post', 400, 'invalid_grant'));

    const anonymous = await http().get('/users/me').expect(401);
    expect(asShown(anonymous.body)).toEqual(example('/users/me', 'get', 401, 'UNAUTHENTICATED'));
    const forged = await http()
      .get('/users/me')
      .auth('not.a.token', { type: 'bearer' })
      .expect(401);
    expect(asShown(forged.body)).toEqual(example('/users/me', 'get', 401, 'INVALID_TOKEN'));
    const refresh = await http().post('/auth/refresh').send({ refresh_token: 'nope' }).expect(401);
    expect(asShown(refresh.body)).toEqual(
      example('/auth/refresh', 'post', 401, 'INVALID_REFRESH_TOKEN'),
    );

    const { access } = await t.login(account.email, account.password);
    const notAdmin = await http().get('/admin/users').auth(access, { type: 'bearer' }).expect(403);
    expect(asShown(notAdmin.body)).toEqual(example('/admin/users', 'get', 403, 'FORBIDDEN'));
    const session = await http()
      .delete(`/auth/sessions/${randomUUID()}`)
      .auth(access, { type: 'bearer' })
      .send({})
      .expect(404);
    expect(asShown(session.body)).toEqual(
      example('/auth/sessions/{id}', 'delete', 404, 'NOT_FOUND'),
    );
    const notSetUp = await http()
      .post('/auth/2fa/enable')
      .auth(access, { type: 'bearer' })
      .send({ code: '123456' })
      .expect(409);
    expect(asShown(notSetUp.body)).toEqual(
      example('/auth/2fa/enable', 'post', 409, 'TWO_FACTOR_NOT_SET_UP'),
    );
  });

  it('fills Try it out with the register and login examples of one account, which signs in', async () => {
    const body = (path: string) => {
      const [, media] = Object.entries(
        operationsWithBodies(document).find((op) => op.path === path)?.content ?? {},
      )[0];
      return prefilledBody(document, media);
    };
    await t
      .http()
      .post('/auth/register')
      .send(body('/auth/register') as object)
      .expect(201);
    const login = await t
      .http()
      .post('/auth/login')
      .send(body('/auth/login') as object)
      .expect(200);
    expect(login.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
  });

  it('fills Try it out with bodies every route accepts as they stand', async () => {
    const refused: unknown[] = [];
    const bodies = operationsWithBodies(document);
    expect(bodies.length).toBeGreaterThanOrEqual(20);
    for (const { path, method, content } of bodies) {
      // Swagger UI shows the first media type; each route takes JSON too.
      const [type, media] = Object.entries(content)[0];
      const body = prefilledBody(document, media) as object;
      // A caller of its own each time: some examples end sessions or change the account.
      const admin = await t.register({ admin: true });
      const { access } = await t.login(admin.email, admin.password);
      let request = t
        .http()
        [method as 'post'](path.replace(/\{\w+\}/g, () => randomUUID()))
        .auth(access, { type: 'bearer' });
      if (type === 'application/x-www-form-urlencoded') request = request.type('form');
      const res = await request.send(body);
      const answer = res.body as { code?: string; error?: string };
      const refusedAsInput =
        res.status === 413 ||
        res.status === 415 ||
        (res.status === 400 &&
          (['VALIDATION_FAILED', 'MALFORMED_BODY', 'BODY_TOO_DEEP'].includes(answer.code ?? '') ||
            answer.error === 'invalid_request'));
      if (refusedAsInput) refused.push({ operation: `${method} ${path}`, body, answer });
    }
    expect(refused).toEqual([]);
  }, 120_000);

  it('sends the two-factor step’s example and is refused for its token, not its shape', async () => {
    const verify = operationsWithBodies(document).find(({ path }) => path === '/auth/2fa/verify');
    const body = prefilledBody(document, verify?.content['application/json'] ?? {}) as object;
    expect(Object.keys(body)).toEqual(['mfa_token', 'code']);
    const res = await t.http().post('/auth/2fa/verify').send(body).expect(401);
    expect(asShown(res.body)).toEqual(
      examplesOf(document, '/auth/2fa/verify', 'post', 401).INVALID_MFA_TOKEN,
    );
  });
});
