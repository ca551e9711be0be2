import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { GatehouseUsersOption, UserStoreModule } from '../users/user-store.module';
import type { GatehouseAuthOptions } from '../config/gatehouse-config';
import { BREACHED_PASSWORD_CHECK } from '../users/breached-passwords';
import type { GatehouseBreachedPasswordsOption } from '../users/breached-passwords';
import { controllersFor } from './route-controllers';
import { GatehouseRoutes, MOUNTED_ROUTES, mountRoutes } from './routes';

/**
 * What shapes the module itself rather than its services: known when the module is declared,
 * so `forRootAsync` takes them beside `useFactory`, not from it.
 */
export interface AuthModuleExtras {
  /**
   * Global (default): the guards, the user and token services and the configuration are
   * reachable from the application's own modules without importing AuthModule a second time.
   */
  isGlobal: boolean;
  /** Where Gatehouse's routes are mounted, and which groups are left out. */
  routes: GatehouseRoutes;
  /**
   * Where the accounts are. Default: Gatehouse's own users table. A host with its own points
   * the ready TypeORM store at its entity and columns (`{ entity, columns }`), or brings any
   * UserStore of its own (`{ useClass }`).
   */
  users?: GatehouseUsersOption;
  /**
   * A breached-password service (`{ useClass }` implementing BreachedPasswordCheck): new
   * passwords it names are refused. Default: none; the shipped common-password list applies.
   */
  breachedPasswords?: GatehouseBreachedPasswordsOption;
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<GatehouseAuthOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: true, routes: {} }, (definition, extras) => {
    const mounted = mountRoutes(extras.routes);
    return {
      ...definition,
      global: extras.isGlobal,
      controllers: controllersFor(mounted),
      imports: [
        ...(definition.imports ?? []),
        UserStoreModule.forRoot(extras.users),
        // Nest's own mechanism: the prefix applies to this module's controllers only.
        ...(mounted.prefix
          ? [RouterModule.register([{ path: mounted.prefix, module: definition.module }])]
          : []),
      ],
      providers: [
        ...(definition.providers ?? []),
        { provide: MOUNTED_ROUTES, useValue: mounted },
        extras.breachedPasswords
          ? { provide: BREACHED_PASSWORD_CHECK, useClass: extras.breachedPasswords.useClass }
          : { provide: BREACHED_PASSWORD_CHECK, useValue: null },
      ],
      exports: [...(definition.exports ?? []), MOUNTED_ROUTES],
    };
  })
  .build();
