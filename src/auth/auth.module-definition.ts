import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { GatehouseUsersOption, UserStoreModule } from '../users/user-store.module';
import { GatehouseConfigModule } from '../config/gatehouse-config';
import type { GatehouseAuthOptions } from '../config/gatehouse-config';
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

/** Where AuthModule's options are provided (by GatehouseConfigModule, to every module). */
export const AUTH_MODULE_OPTIONS = Symbol('gatehouse:auth-module-options');

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<GatehouseAuthOptions>({
  optionsInjectionToken: AUTH_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: true, routes: {} }, (definition, extras) => {
    const mounted = mountRoutes(extras.routes);
    return {
      module: definition.module,
      // Nest spreads the host's extras over the defaults: `isGlobal: undefined` means the default.
      global: extras.isGlobal !== false,
      controllers: controllersFor(mounted),
      imports: [
        // The options and the settings: global whatever `isGlobal` says, since the feature
        // modules AuthModule imports read them too (as TypeOrmModule's core module is global).
        // Passkeys left out of the routes are off altogether: no second factor offers one, and
        // production asks no RP id.
        GatehouseConfigModule.fromOptions(AUTH_MODULE_OPTIONS, definition, {
          passkeysOff: !mounted.groups.includes('passkeys'),
        }),
        UserStoreModule.forRoot(extras.users, extras.breachedPasswords, definition.imports),
        // Nest's own mechanism: the prefix applies to this module's controllers only.
        ...(mounted.prefix
          ? [RouterModule.register([{ path: mounted.prefix, module: definition.module }])]
          : []),
      ],
      providers: [{ provide: MOUNTED_ROUTES, useValue: mounted }],
      exports: [MOUNTED_ROUTES],
    };
  })
  .build();
