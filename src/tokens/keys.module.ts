import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SigningKeys } from './signing-keys.service';

/**
 * Gatehouse's own JwtService, under a token of its own: a host's `JwtModule` (global or not)
 * and Gatehouse's never stand in for each other. Exported as the class, it would reach every
 * module of a host through the global AuthModule and sign the host's tokens with Gatehouse's key.
 */
export const GATEHOUSE_JWT = Symbol('GatehouseJwtService');

/**
 * Signing keys and their rotation, and the JwtService that signs and verifies with them (each
 * call's key chosen by `kid`, see {@link SigningKeys.jwtOptions}). The JWKS route is mounted by
 * AuthModule.
 */
@Module({
  providers: [
    SigningKeys,
    {
      provide: GATEHOUSE_JWT,
      inject: [SigningKeys],
      useFactory: (keys: SigningKeys) => new JwtService(keys.jwtOptions()),
    },
  ],
  exports: [SigningKeys, GATEHOUSE_JWT],
})
export class KeysModule {}
