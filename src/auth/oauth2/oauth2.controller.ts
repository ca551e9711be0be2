import { Body, Header, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { TokenRevocationService } from '../../tokens/token-revocation.service';
import { Public } from '../../core/decorators/public.decorator';
import { PresentedTokenDto } from '../dto/oauth2.dto';
import { Client } from '../../core/decorators/client-info.decorator';
import type { ClientInfo } from '../../core/client-info';
import { OAuth2Endpoints } from './oauth2-endpoints.decorator';

/** RFC 7009 revocation: part of every mount, since logout by token is what hosts need first. */
@OAuth2Endpoints()
export class OAuth2Controller {
  constructor(private readonly revocation: TokenRevocationService) {}

  @Public()
  @Post('revoke')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Revoke a token (RFC 7009)',
    description:
      'Whoever holds a token may revoke it. A refresh token ends its whole session; an access ' +
      'token goes alone. Answers 200 for unknown or invalid tokens too (§2.2).',
  })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke' })
  async revoke(@Body() dto: PresentedTokenDto, @Client() client: ClientInfo): Promise<void> {
    await this.revocation.revokePresented(dto.token, client);
  }
}
