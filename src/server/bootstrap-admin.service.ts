import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  DomainError,
  ErrorCode,
  PasswordHasher,
  ROLE_ADMIN,
  ROLE_USER,
  UsersService,
} from '../index';
import type { AllConfig } from './server-config';

/**
 * Creates the first admin from BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD when no account
 * with that email exists, so a fresh deployment has someone who can reach the admin routes.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.get('app', { infer: true }).bootstrapAdmin;
    if (!admin || (await this.users.findByEmail(admin.email))) return;
    try {
      const user = await this.users.create({
        email: admin.email,
        passwordHash: await this.passwords.hash(admin.password),
        roles: [ROLE_USER, ROLE_ADMIN],
        // The operator chose this address; with AUTH_REQUIRE_VERIFIED_EMAIL the admin must log in.
        emailVerified: true,
      });
      this.logger.log(`created bootstrap admin account ${user.id}`);
    } catch (error) {
      // Another instance starting at the same moment created it first: nothing left to do.
      if (!(error instanceof DomainError && error.code === ErrorCode.EmailTaken)) throw error;
    }
  }
}
