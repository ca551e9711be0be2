import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GATEHOUSE_USERS, TypeOrmUserStore, TypeOrmUsersOptions } from './typeorm-user-store';
import { USER_STORE } from './user-store';
import type { UserStore } from './user-store';

/** Where the accounts are: AuthModule's `users` option. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any host entity
export type GatehouseUsersOption = TypeOrmUsersOptions<any> | { useClass: Type<UserStore> };

/**
 * Provides the UserStore (USER_STORE) to every module: the token checks of TokensModule and the
 * accounts of UsersModule reach it without importing AuthModule, which imports this.
 */
@Module({})
export class UserStoreModule {
  static forRoot(users?: GatehouseUsersOption): DynamicModule {
    const provider: Provider =
      users && 'useClass' in users
        ? { provide: USER_STORE, useClass: users.useClass }
        : {
            provide: USER_STORE,
            inject: [getDataSourceToken()],
            useFactory: (dataSource: DataSource) =>
              new TypeOrmUserStore(dataSource, users ?? GATEHOUSE_USERS),
          };
    return { module: UserStoreModule, global: true, providers: [provider], exports: [USER_STORE] };
  }
}
