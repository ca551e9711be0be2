import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config';
import { Token } from './entities/token.entity';
import { RevocationCheckService } from './revocation-check.service';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';
import { TokensService } from './tokens.service';

/** The token store: issuing, rotation, revocation and the per-request revocation check. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Token]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const auth = config.get('auth', { infer: true });
        return {
          // A KeyObject, not a string: see resolveJwtKey.
          secret: auth.key,
          signOptions: { algorithm: auth.algorithm },
          verifyOptions: {
            algorithms: [auth.algorithm],
            issuer: auth.issuer,
            audience: auth.audience,
          },
        };
      },
    }),
  ],
  providers: [TokensService, TokenSigner, TokenRevocationService, RevocationCheckService],
  exports: [TokensService, TokenSigner, TokenRevocationService, RevocationCheckService],
})
export class TokensModule {}
