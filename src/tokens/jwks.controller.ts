import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../core/decorators/public.decorator';
import { JwksResponse } from './dto/jwks.response';
import { SigningKeys } from './signing-keys.service';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('keys')
@Controller('.well-known')
@GatehouseRoute()
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Public()
  @Get('jwks.json')
  // Short enough that a key added by a rotation is fetched well before it activates (an hour
  // later by default); verifiers also refetch when they meet a kid they do not know.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'The public keys that verify Gatehouse tokens (RFC 7517)',
    description:
      'Other services verify access tokens with these keys (for example `createRemoteJWKSet` of the jose library), checking `iss` and `aud` too. Keys appear before they start signing and stay until every token they signed has expired. Empty under HS256, whose key is a shared secret.',
  })
  @ApiOkResponse({ type: JwksResponse })
  jwks(): JwksResponse {
    return this.keys.jwks();
  }
}
