import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SigningKeys } from './signing-keys.service';

/**
 * Signing keys and their rotation, and the JwtService that signs and verifies with them (each
 * call's key chosen by `kid`, see {@link SigningKeys.jwtOptions}). The JWKS route is mounted by
 * AuthModule.
 */
@Module({
  providers: [
    SigningKeys,
    {
      provide: JwtService,
      inject: [SigningKeys],
      useFactory: (keys: SigningKeys) => new JwtService(keys.jwtOptions()),
    },
  ],
  exports: [SigningKeys, JwtService],
})
export class KeysModule {}
