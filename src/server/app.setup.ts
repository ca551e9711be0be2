import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyHelmet from '@fastify/helmet';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  ErrorBody,
  GatehouseConfig,
  GatehouseValidationPipe,
  HttpErrorFilter,
  REQUEST_ID_HEADER,
  acceptRequestId,
  applyGatehouseSwagger,
  ensureRequestId,
} from '../index';
import type { RequestWithId } from '../index';
import type { AllConfig, AppConfig } from './server-config';
import { authorizeDialogOpensOnTop, downloadUrl } from './swagger-ui-plugins';

/**
 * helmet's default CSP, plus what Swagger UI at /docs needs: its inline styles and the data:
 * images of its icons. Scripts stay same-origin only.
 */
const SWAGGER_UI_CSP = {
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  // Would send Swagger UI's calls to https:// on a plain-http deployment (a LAN IP, say).
  'upgrade-insecure-requests': null,
};

/**
 * Everything `main.ts` and the e2e tests share: the HTTP layer's hardening, validation, error
 * shape and the API docs. Tests boot the app through this so they exercise what users run.
 */
export async function configureApp(app: INestApplication): Promise<INestApplication> {
  const config = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  if (app.getHttpAdapter().getType() === 'fastify') {
    await configureFastify(app as NestFastifyApplication);
  } else {
    configureExpress(app as NestExpressApplication, config);
  }
  if (config.corsOrigins.length > 0) {
    // Bearer tokens travel in a header: credentials (cookies) cross origins only in cookie mode,
    // where the refresh cookie must reach /auth/refresh from the application's own origin.
    const cookieMode = app.get(GatehouseConfig).get('account', { infer: true }).cookie.enabled;
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      credentials: cookieMode,
      maxAge: 600,
    });
  }
  applyServerTimeouts(app.getHttpServer() as Server, config.httpTimeouts);
  app.useGlobalPipes(new GatehouseValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost)));
  setupSwagger(app);
  return app;
}

/**
 * The HTTP adapter HTTP_ADAPTER asks for, and the options to create the app with. Fastify takes
 * its body limit and proxy trust at construction; Express gets both in configureApp.
 */
export function httpAdapterFor(config: AppConfig): {
  adapter?: FastifyAdapter;
  options: NestApplicationOptions;
} {
  if (config.httpAdapter === 'fastify') {
    const adapter = new FastifyAdapter({
      // The request's id, chosen before anything else runs: the caller's X-Request-Id if sane.
      genReqId: (req: IncomingMessage) =>
        acceptRequestId(req.headers[REQUEST_ID_HEADER.toLowerCase()]),
      requestIdHeader: false,
      bodyLimit: byteSize(config.bodyLimit),
      trustProxy: config.trustProxy,
      // A JSON body with "__proto__" or "constructor" keys is refused by the parser itself.
      onProtoPoisoning: 'error',
      onConstructorPoisoning: 'error',
    });
    return { adapter, options: {} };
  }
  // Express: the parsers are registered by configureApp, with the configured limit.
  return { options: { bodyParser: false } };
}

/**
 * The HTTP server's own limits, chosen rather than left to Node's (five minutes a request): a
 * client that trickles its headers holds a socket at most HTTP_HEADERS_TIMEOUT, a whole request
 * at most HTTP_REQUEST_TIMEOUT (Node checks both every few seconds to 30 s, so the cut comes up to
 * that much later), and an idle keep-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT. Every
 * wait on the database or Redis is bounded well below these, so no request of ours runs into them.
 */
export function applyServerTimeouts(server: Server, timeouts: AppConfig['httpTimeouts']): void {
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
}

function byteSize(value: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(value) ?? ['', '65536', 'b'];
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2].toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}

const helmetOptions = { contentSecurityPolicy: { directives: SWAGGER_UI_CSP } };

function configureExpress(app: NestExpressApplication, config: AppConfig): void {
  // First of all, so that even a body the parsers refuse is answered with its id (the request
  // log itself starts later, with Nest's middleware).
  app.use((req: RequestWithId, res: ServerResponse, next: () => void) => {
    res.setHeader(REQUEST_ID_HEADER, ensureRequestId(req));
    next();
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(helmet(helmetOptions));
  // Both parsers bounded; forms flat (no nested objects from `a[b]=c`).
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
}

async function configureFastify(app: NestFastifyApplication): Promise<void> {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  await app.register(fastifyHelmet, helmetOptions);
}

/** The document's description: the first thing Swagger UI shows, so the way through it. */
const SWAGGER_INTRO = [
  'JWT authentication for NestJS. To try it here:',
  '',
  '1. **POST /auth/register**: *Try it out*, put an email and a password of yours in the example, ' +
    '*Execute*.',
  '2. **Authorize** → *oauth2 (OAuth2, password)*: that email as username, and the password ' +
    '(leave client id and secret empty). Or log in with **POST /auth/login** and paste its ' +
    '`access_token` under *bearer*. Swagger UI then sends the token with every call.',
  '3. **GET /users/me** answers with the account.',
  '',
  '**Logging out.** `POST /auth/logout` ends the session on the server, but Swagger UI keeps the ' +
    'token, even across page reloads, and goes on sending it (the guarded routes answer 401) ' +
    'until you click **Logout** in the **Authorize** dialog. Authorize again to sign in anew.',
].join('\n');

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription(SWAGGER_INTRO)
    .setVersion('0.2.0')
    // This app's own groups, after Gatehouse's (applyGatehouseSwagger puts those first, in the
    // order a newcomer follows): the example routes, then what operators use.
    .addTag(
      'notes (example)',
      'An example of the host application’s own routes, guarded by Gatehouse.',
    )
    .addTag('operations', 'Liveness and readiness, for load balancers and orchestrators.')
    .build();
  // What any host does: its document, then Gatehouse's security and schemes on it.
  return applyGatehouseSwagger(
    app,
    SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody] }),
  );
}

function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: {
      persistAuthorization: true,
      plugins: [downloadUrl, authorizeDialogOpensOnTop],
    },
    customSiteTitle: 'Gatehouse API',
  });
}
