import type { INestApplicationContext } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { GatehouseAuthOptions } from '../../config/gatehouse-config';
import { AUTH_MODULE_OPTIONS } from '../auth.module-definition';
import { PUBLIC_EXTENSION } from '../decorators/public.decorator';
import { GATEHOUSE_EXTENSION, TOKEN_ENDPOINT_EXTENSION } from './extensions';

type Operation = OpenAPIObject['paths'][string]['get'] & Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const UNAUTHORIZED = {
  description: 'Missing, invalid, expired or revoked access token',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
};

/**
 * Makes the host's OpenAPI document describe Gatehouse's routes as they behave, from the same
 * markers the guards read, so the two cannot drift:
 * - bearer (and the OAuth2 password flow) on every guarded Gatehouse operation, none on the
 *   public ones (login, register, refresh, revoke, JWKS…), and a 401 answer on the guarded ones;
 * - with AuthModule's global guard on (the default), the same for the host's own routes, since it
 *   guards them too (`@Public()` opts out); with `globalGuards: false` the host's operations are
 *   left as they are (`@ApiBearerAuth('bearer')` where it guards);
 * - the `bearer` and `oauth2` security schemes, the latter with the token endpoint where it is
 *   mounted, so Authorize logs in with an email and password;
 * - Gatehouse's private `x-gatehouse*` extensions removed.
 *
 *     const document = applyGatehouseSwagger(app, SwaggerModule.createDocument(app, config));
 *     SwaggerModule.setup('api', app, document);
 */
export function applyGatehouseSwagger(
  app: INestApplicationContext,
  document: OpenAPIObject,
): OpenAPIObject {
  const options = app.get<GatehouseAuthOptions>(AUTH_MODULE_OPTIONS, { strict: false });
  const guardsHostRoutes = options.globalGuards !== false;
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) =>
      item[method] ? [{ path, operation: item[method] as Operation }] : [],
    ),
  );
  const tokenUrl = operations.find(
    ({ operation }) => operation[TOKEN_ENDPOINT_EXTENSION] === true,
  )?.path;
  const security: Array<Record<string, string[]>> = [
    { bearer: [] },
    ...(tokenUrl ? [{ oauth2: [] }] : []),
  ];
  let introspection = false;

  for (const { operation } of operations) {
    const ours = operation[GATEHOUSE_EXTENSION] === true;
    const open = operation[PUBLIC_EXTENSION] === true;
    delete operation[GATEHOUSE_EXTENSION];
    delete operation[PUBLIC_EXTENSION];
    delete operation[TOKEN_ENDPOINT_EXTENSION];
    if (ours && JSON.stringify(operation.security ?? []).includes('introspection-client')) {
      introspection = true;
    }
    if (!ours && !guardsHostRoutes) continue;
    if (open) {
      // Public to the JWT guard; a route with a guard of its own documents its own schemes.
      operation.security ??= [];
      continue;
    }
    operation.security = security;
    operation.responses['401'] ??= UNAUTHORIZED;
  }

  document.components ??= {};
  const schemes = (document.components.securitySchemes ??= {});
  schemes.bearer ??= { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
  if (tokenUrl) {
    schemes.oauth2 ??= { type: 'oauth2', flows: { password: { tokenUrl, scopes: {} } } };
  }
  if (introspection) schemes['introspection-client'] ??= { type: 'http', scheme: 'basic' };
  return document;
}
