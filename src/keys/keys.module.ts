import { Module } from '@nestjs/common';
import { SigningKeys } from './signing-keys.service';

/** Signing keys and their rotation. The JWKS route is mounted by AuthModule. */
@Module({
  providers: [SigningKeys],
  exports: [SigningKeys],
})
export class KeysModule {}
