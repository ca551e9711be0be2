import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GatehouseConfig } from '../config/gatehouse-config';
import { gatehouseEntities } from '../schema/gatehouse-schema';
import { TypeOrmUserStore } from '../users/typeorm-user-store';
import { USER_STORE } from '../users/user-store';
import type { UserStore } from '../users/user-store';
import { MOUNTED_ROUTES } from './routes';
import type { MountedRoutes } from './routes';

/** The ones every host registers, whoever keeps the accounts. */
const ENTITIES = gatehouseEntities(false);

/**
 * Checks at boot what a host wires up, so a mistake stops the start with a message naming what to
 * change, instead of a 500 on the first request: Gatehouse's entities registered, its tables
 * migrated, and a user store able to do what the mounted routes and the settings ask of it.
 */
@Injectable()
export class SetupCheck implements OnModuleInit {
  private readonly logger = new Logger('Passkeys');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(USER_STORE) private readonly users: UserStore,
    @Inject(MOUNTED_ROUTES) private readonly routes: MountedRoutes,
    private readonly config: GatehouseConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const missing = ENTITIES.filter((entity) => !this.dataSource.hasMetadata(entity));
    if (missing.length > 0) {
      throw new Error(
        `AuthModule: Gatehouse's entities are not registered with the TypeORM DataSource (${missing.map((e) => e.name).join(', ')}): add gatehouseSchema().entities to its entities`,
      );
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      for (const entity of ENTITIES) {
        const table = this.dataSource.getMetadata(entity).tablePath;
        if (!(await runner.hasTable(table))) {
          throw new Error(
            `AuthModule: the table ${table} does not exist: add gatehouseSchema().migrations to the DataSource's migrations and run them (migrationsRun: true, or the TypeORM CLI)`,
          );
        }
      }
    } finally {
      await runner.release();
    }
    this.checkRoutes();
    this.checkUserStore();
  }

  private checkRoutes(): void {
    const passkeys = this.config.get('passkeys', { infer: true });
    if (this.routes.groups.includes('passkeys')) {
      for (const warning of passkeys.warnings) this.logger.warn(warning);
    }
    const requireVerified = this.config.get('account', { infer: true }).requireVerifiedEmail;
    if (requireVerified && !this.routes.groups.includes('account-mails')) {
      throw new Error(
        "AuthModule: AUTH_REQUIRE_VERIFIED_EMAIL refuses logins until an address is verified, which needs the 'account-mails' routes: do not list them in routes.exclude",
      );
    }
  }

  private checkUserStore(): void {
    if (!(this.users instanceof TypeOrmUserStore)) return;
    const has = this.users.has;
    if (this.routes.groups.includes('admin') && !(has.roles && has.disabled)) {
      throw new Error(
        "AuthModule: the admin routes change roles and disable accounts: set users.columns.roles and users.columns.disabled, or leave them out with routes.exclude: ['admin']",
      );
    }
    if (
      this.config.get('account', { infer: true }).requireVerifiedEmail &&
      !has.emailVerification
    ) {
      throw new Error(
        'AuthModule: AUTH_REQUIRE_VERIFIED_EMAIL needs users.columns.emailVerifiedAt, where the proof is recorded',
      );
    }
  }
}
