import { Controller, Get, INestApplication, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiBearerAuth, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { JwtAuthGuard, Public, applyGatehouseSwagger } from '../src';
import { inMemoryHost } from './support/host-module';

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
