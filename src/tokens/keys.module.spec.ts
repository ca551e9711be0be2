import { JwtService } from '@nestjs/jwt';
import { AuthModule } from '../auth/auth.module';
import { GATEHOUSE_JWT, KeysModule } from './keys.module';
import { TokensModule } from './tokens.module';

describe('KeysModule', () => {
  it("keeps Gatehouse's JwtService under its own token, so a host's JwtService is never it", () => {
    const exported = (module: object) =>
      // @Module() keeps its exports under the metadata key 'exports'.
      (Reflect.getMetadata('exports', module) ?? []) as unknown[];
    expect(exported(KeysModule)).toContain(GATEHOUSE_JWT);
    for (const module of [KeysModule, TokensModule, AuthModule])
      expect(exported(module)).not.toContain(JwtService);
  });
});
