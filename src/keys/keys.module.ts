import { Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { SigningKeys } from './signing-keys.service';

/** Signing keys, their rotation, and the JWKS that publishes the public ones. */
@Module({
  controllers: [JwksController],
  providers: [SigningKeys],
  exports: [SigningKeys],
})
export class KeysModule {}
