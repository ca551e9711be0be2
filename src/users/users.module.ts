import { Module } from '@nestjs/common';
import { BreachedPasswords } from './breached-passwords';
import { LoginLockoutService, TwoFactorLockoutService } from './login-lockout.service';
import { PasswordHasher } from './password-hasher.service';
import { Reauthentication } from './reauthentication.service';
import { UsersService } from './users.service';

const providers = [
  UsersService,
  PasswordHasher,
  BreachedPasswords,
  LoginLockoutService,
  TwoFactorLockoutService,
  Reauthentication,
];

/**
 * Accounts, reached through the UserStore port (USER_STORE, from AuthModule's `users` option),
 * and what proves who holds one: the password hasher with its worker pool, the breached-password
 * check, the lockouts and re-authentication. Each is provided here only: a second module
 * providing PasswordHasher would start a second worker pool. Their routes are mounted by
 * AuthModule, which chooses which.
 */
@Module({ providers, exports: providers })
export class UsersModule {}
