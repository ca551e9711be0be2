import { Type } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { AccountController } from '../account/account.controller';
import { AdminTwoFactorController } from '../admin/admin-two-factor.controller';
import { TwoFactorController } from '../account/mfa/two-factor.controller';
import { JwksController } from '../tokens/jwks.controller';
import { AdminUsersController } from '../admin/admin-users.controller';
import { UsersController } from '../users/users.controller';
import { AuthController } from './auth.controller';
import { IntrospectionController } from './oauth2/introspection.controller';
import { OAuth2Controller } from './oauth2/oauth2.controller';
import { SessionsController } from './sessions.controller';
import { TwoFactorLoginController } from './two-factor-login.controller';
import { AdminPasskeysController } from '../admin/admin-passkeys.controller';
import { PasskeysController } from '../passkeys/passkeys.controller';
import { PasskeyLoginController } from './passkey-login.controller';

import { GATEHOUSE_EXTENSION } from './openapi/extensions';
import { GatehouseRouteGroup, MountedRoutes } from './routes';

/** The controllers of each group, apart from routes.ts so that controllers may import it. */
const CORE: Type[] = [AuthController, UsersController, OAuth2Controller];
const GROUPS: Record<GatehouseRouteGroup, Type[]> = {
  admin: [AdminUsersController, AdminTwoFactorController],
  'two-factor': [TwoFactorController, TwoFactorLoginController],
  sessions: [SessionsController],
  introspection: [IntrospectionController],
  jwks: [JwksController],
  'account-mails': [AccountController],
  passkeys: [PasskeysController, PasskeyLoginController],
};
/** Controllers that belong to two groups, mounted only with both. */
const JOINT: Array<[GatehouseRouteGroup[], Type[]]> = [
  [['admin', 'passkeys'], [AdminPasskeysController]],
];

export function controllersFor(mounted: MountedRoutes): Type[] {
  const joint = JOINT.filter(([groups]) => groups.every((g) => mounted.groups.includes(g)));
  return [
    ...CORE,
    ...mounted.groups.flatMap((group) => GROUPS[group]),
    ...joint.flatMap(([, controllers]) => controllers),
  ];
}

/**
 * Every operation of Gatehouse's controllers carries GATEHOUSE_EXTENSION, so that
 * applyGatehouseSwagger tells them from the host's in any document, under any prefix. Swagger
 * reads extensions per method only, hence per method; done once, here, where the list is.
 */
for (const controller of [
  ...CORE,
  ...Object.values(GROUPS).flat(),
  ...JOINT.flatMap(([, controllers]) => controllers),
]) {
  const prototype = controller.prototype as object;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (name === 'constructor' || typeof descriptor?.value !== 'function') continue;
    ApiExtension(GATEHOUSE_EXTENSION, true)(prototype, name, descriptor);
  }
}
