import type { INestApplicationContext } from '@nestjs/common';
import type { OpenAPIObject, ResponseObject, TagObject } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/domain-error';
import type { GatehouseAuthOptions } from '../../config/gatehouse-config';
import { AUTH_MODULE_OPTIONS } from '../auth.module-definition';
import { PUBLIC_EXTENSION } from '../../core/decorators/public.decorator';
import {
  RETRY_AFTER_HEADER,
  TOKEN_REFUSALS,
  errorExamples,
  statusErrorBody,
} from '../../common/openapi/error-responses';
import { GATEHOUSE_EXTENSION, TOKEN_ENDPOINT_EXTENSION } from './extensions';
import {
  OAUTH2_ERROR_BODY,
  OAUTH2_ERROR_SCHEMA,
  OAUTH2_TOKEN_ERRORS,
} from './oauth2-error-responses';

type Operation = OpenAPIObject['paths'][string]['get'] & Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const ERROR_BODY_REF = '#/components/schemas/ErrorBody';
/** Codes only a mode a host turns on answers with (cookie mode). */
const OPT_IN_CODES = new Set<string>([ErrorCode.OriginNotAllowed]);
const UNAUTHORIZED_DESCRIPTION = 'Missing, invalid, expired or revoked access token';

/**
 * Gatehouse's groups of operations in the order a newcomer goes through them: an account and a
 * token first, what to do with them next, what other services use last.
 */
const GATEHOUSE_TAGS: TagObject[] = [
  {
    name: 'auth',
    description:
      'Register, log in (or use Authorize), refresh the token pair, change the password, log out.',
  },
  {
    name: 'account',
    description: 'What the mailed links do: verify the email address, reset a forgotten password.',
  },
  {
    name: 'two-factor',
    description: 'TOTP two-factor: set it up, turn it on or off, and the second step of a login.',
  },
  {
    name: 'passkeys',
    description:
      'Passkeys (WebAuthn): add one, sign in with it alone or as the second factor, rename or remove it. Each step is options for the browser, then its answer.',
  },
  {
    name: 'sessions',
    description: "The caller's sessions (one per login and device): list them, end one or all.",
  },
  { name: 'users', description: 'The signed-in account.' },
  {
    name: 'admin',
    description:
      'Accounts, for admins: list, disable, change roles, end sessions, turn two-factor off, remove passkeys.',
  },
  {
    name: 'keys',
    description: 'The public keys (JWKS) other services verify Gatehouse tokens with.',
  },
  {
    name: 'oauth2',
    description: 'For other services: token revocation (RFC 7009) and introspection (RFC 7662).',
  },
];

/**
 * Makes the host's OpenAPI document describe Gatehouse's routes as they behave, from the same
 * markers the guards read, so the two cannot drift:
 * - bearer (and the OAuth2 password flow) on every guarded Gatehouse operation, none on the
 *   public ones (login, register, refresh, revoke, JWKS…), and a 401 answer on the guarded ones;
 * - with AuthModule's global guard on (the default), the same for the host's own routes, since it
 *   guards them too (`@Public()` opts out); with `globalGuards: false` the host's operations are
 *   left as they are (`@ApiBearerAuth('bearer')` where it guards);
 * - the `oauth2` and `bearer` security schemes, in that order (Swagger UI's Authorize dialog
 *   lists them so: the password flow first), the former with the token endpoint where it is
 *   mounted, so Authorize logs in with an email and password;
 * - an example for every error answer in Gatehouse's shape, as the error filter writes it (the
 *   routes declare theirs per code; an answer without one gets its status's), and the token
 *   endpoint's errors in RFC 6749's shape, which is what it answers with;
 * - Gatehouse's tags, described, in the order a newcomer follows them: before the host's own,
 *   unless the host lists some of Gatehouse's itself, whose order then stands;
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
    if (operation[TOKEN_ENDPOINT_EXTENSION] === true) answerTheOAuth2Way(operation);
    delete operation[GATEHOUSE_EXTENSION];
    delete operation[PUBLIC_EXTENSION];
    delete operation[TOKEN_ENDPOINT_EXTENSION];
    if (ours && JSON.stringify(operation.security ?? []).includes('introspection-client')) {
      introspection = true;
    }
    if (ours || guardsHostRoutes) {
      if (open) {
        // Public to the JWT guard; a route with a guard of its own documents its own schemes.
        operation.security ??= [];
      } else {
        operation.security = security;
        refusesTokens(operation);
      }
    }
    exemplifyErrors(operation);
  }

  document.components ??= {};
  const schemes = document.components.securitySchemes ?? {};
  document.components.securitySchemes = {
    // Swagger UI's Authorize dialog shows the schemes in this order: the password flow first.
    ...(tokenUrl
      ? {
          oauth2: schemes.oauth2 ?? {
            type: 'oauth2',
            flows: { password: { tokenUrl, scopes: {} } },
          },
        }
      : {}),
    ...schemes,
    bearer: schemes.bearer ?? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    ...(introspection
      ? {
          'introspection-client': schemes['introspection-client'] ?? {
            type: 'http',
            scheme: 'basic',
          },
        }
      : {}),
  };
  if (tokenUrl) {
    document.components.schemas ??= {};
    document.components.schemas[OAUTH2_ERROR_SCHEMA] ??= structuredClone(OAUTH2_ERROR_BODY);
  }
  document.tags = orderTags(
    document,
    operations.map(({ operation }) => operation),
  );
  return document;
}

/** The 401 of a guarded operation: its own reasons, if it has some, and the token's. */
function refusesTokens(operation: Operation): void {
  const examples = errorExamples(TOKEN_REFUSALS);
  const existing = operation.responses['401'] as ResponseObject | undefined;
  const media = existing?.content?.['application/json'];
  if (!existing || !media) {
    operation.responses['401'] = {
      description: UNAUTHORIZED_DESCRIPTION,
      content: { 'application/json': { schema: { $ref: ERROR_BODY_REF }, examples } },
    };
    return;
  }
  const alsoTheToken = `Or: ${UNAUTHORIZED_DESCRIPTION.toLowerCase()}`;
  if (!/access token/i.test(existing.description)) {
    existing.description = `${existing.description}\n\n${alsoTheToken}`;
  }
  media.examples = { ...media.examples, ...examples };
}

/**
 * Every error answer in Gatehouse's shape gets an example: without one, Swagger UI would make
 * one up from the schema's per-field examples, the same body for every status.
 */
function exemplifyErrors(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    const code = Number(status);
    if (!(code >= 400) || !response || '$ref' in response) continue;
    const media = response.content?.['application/json'];
    const schema = media?.schema as { $ref?: string } | undefined;
    if (!media || schema?.$ref !== ERROR_BODY_REF) continue;
    if (media.example === undefined && media.examples === undefined) {
      const value = statusErrorBody(code);
      media.examples = { [value.code]: { summary: value.message, value } };
    } else if (media.examples) {
      // Swagger UI shows the first example: the usual answer, not one of an opt-in mode.
      const entries = Object.entries(media.examples);
      const optIn = ([name]: [string, unknown]) => OPT_IN_CODES.has(name);
      media.examples = Object.fromEntries([
        ...entries.filter((entry) => !optIn(entry)),
        ...entries.filter(optIn),
      ]);
    }
    if (code === 429 || code === 503) response.headers ??= RETRY_AFTER_HEADER;
  }
}

/**
 * The token endpoint answers errors as RFC 6749 §5.2 says (OAuth2ExceptionFilter), not in the
 * shape its controller declares for its other routes: its error answers are documented so.
 */
function answerTheOAuth2Way(operation: Operation): void {
  for (const status of Object.keys(operation.responses)) {
    if (Number(status) >= 400 && status in OAUTH2_TOKEN_ERRORS) {
      operation.responses[status] = structuredClone(OAUTH2_TOKEN_ERRORS[Number(status)]);
    }
  }
}

/** Gatehouse's tags in use, in order and described, around the host's (see above). */
function orderTags(document: OpenAPIObject, operations: Operation[]): TagObject[] {
  const used = new Set(operations.flatMap((operation) => operation.tags ?? []));
  const declared = (document.tags ?? []).map((tag) => ({
    ...tag,
    description:
      tag.description ?? GATEHOUSE_TAGS.find(({ name }) => name === tag.name)?.description,
  }));
  const names = new Set(declared.map(({ name }) => name));
  const missing = GATEHOUSE_TAGS.filter(({ name }) => used.has(name) && !names.has(name));
  const hostOrdersOurs = declared.some(({ name }) =>
    GATEHOUSE_TAGS.some((tag) => tag.name === name),
  );
  return hostOrdersOurs ? [...declared, ...missing] : [...missing, ...declared];
}
