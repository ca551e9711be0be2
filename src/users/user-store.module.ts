import { DynamicModule, Module, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BREACHED_PASSWORD_CHECK } from './breached-passwords';
import type { GatehouseBreachedPasswordsOption } from './breached-passwords';
import { GATEHOUSE_USERS, TypeOrmUserStore, TypeOrmUsersOptions } from './typeorm-user-store';
import { USER_STORE } from './user-store';
import type { UserStore } from './user-store';

/** Where the accounts are: AuthModule's `users` option. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any host entity
export type GatehouseUsersOption = TypeOrmUsersOptions<any> | { useClass: Type<UserStore> };

/**
 * The ports a host may fill, provided to every module: the UserStore (USER_STORE) and the
 * breached-password check (BREACHED_PASSWORD_CHECK, null when there is none). Global, so that
 * UsersModule and TokensModule reach them whether or not AuthModule, which imports this, is.
 * A host's class for either gets its dependencies from global modules and from `imports` (those
 * of `forRootAsync`).
 */
@Module({})
export class UserStoreModule {
  static forRoot(
    users?: GatehouseUsersOption,
    breachedPasswords?: GatehouseBreachedPasswordsOption,
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    const store: Provider =
      users && 'useClass' in users
        ? { provide: USER_STORE, useClass: users.useClass }
        : {
            provide: USER_STORE,
            inject: [getDataSourceToken()],
            useFactory: (dataSource: DataSource) =>
              new TypeOrmUserStore(dataSource, users ?? GATEHOUSE_USERS),
          };
    const breached: Provider = breachedPasswords
      ? { provide: BREACHED_PASSWORD_CHECK, useClass: breachedPasswords.useClass }
      : { provide: BREACHED_PASSWORD_CHECK, useValue: null };
    return {
      module: UserStoreModule,
      global: true,
      imports,
      providers: [store, breached],
      exports: [USER_STORE, BREACHED_PASSWORD_CHECK],
    };
  }
}
