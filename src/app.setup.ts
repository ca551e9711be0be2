import { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from './auth/decorators/public.decorator';
import { ErrorBody } from './common/errors/error-body';
import { HttpErrorFilter } from './common/filters/http-error.filter';
import { AppValidationPipe } from './common/pipes/app-validation.pipe';

const SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { oauth2: [] }];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * Everything `main.ts` and the e2e tests share: validation, error shape and the API docs. Tests
 * boot the app through this so they exercise what users run.
 */
export function configureApp(app: INestApplication): INestApplication {
  // Express advertises itself by default; there is no reason to tell. (Fastify does not.)
  const server: unknown = app.getHttpAdapter().getInstance();
  if (hasDisable(server)) server.disable('x-powered-by');
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost)));
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}

function hasDisable(server: unknown): server is { disable(setting: string): void } {
  return typeof (server as { disable?: unknown } | null)?.disable === 'function';
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription(
      'JWT authentication for NestJS. Use **Authorize** → *oauth2 (password)* with the email and ' +
        'password of a registered account, or paste an access token under *bearer*.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addBasicAuth({ type: 'http', scheme: 'basic' }, 'introspection-client')
    .addOAuth2(
      { type: 'oauth2', flows: { password: { tokenUrl: '/auth/token', scopes: {} } } },
      'oauth2',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody] });
  return applyGuardSecurity(document);
}

/**
 * Every route is guarded unless `@Public()`, so the docs say so per operation from the same
 * marker the guard reads: they cannot drift from the real rule.
 */
function applyGuardSecurity(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      if (extensions[PUBLIC_EXTENSION]) {
        delete extensions[PUBLIC_EXTENSION];
        // Public to the JWT guard; a route with its own guard documents its own schemes.
        operation.security ??= [];
        continue;
      }
      operation.security = SECURITY;
      operation.responses['401'] ??= {
        description: 'Missing, invalid, expired or revoked access token',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
      };
    }
  }
  return document;
}

function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
    customSiteTitle: 'Gatehouse API',
  });
}
