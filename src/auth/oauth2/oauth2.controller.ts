import {
  Body,
  Controller,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TokenRevocationService } from '../../tokens/token-revocation.service';
import { Public } from '../decorators/public.decorator';
import { PresentedTokenDto } from '../dto/oauth2.dto';
import { OAuth2ExceptionFilter } from './oauth2-exception.filter';
import { AppValidationPipe } from '../../common/pipes/app-validation.pipe';
import { Client } from '../decorators/client-info.decorator';
import type { ClientInfo } from '../../tokens/client-info';
import { GatehouseRoute } from '../../common/http/gatehouse-route.decorator';

/** RFC 7009 revocation: part of every mount, since logout by token is what hosts need first. */
@ApiTags('oauth2')
@UseFilters(OAuth2ExceptionFilter)
// Validated here too, so the routes keep their rules in an application without our global pipe.
@UsePipes(AppValidationPipe)
@Controller('oauth2')
@GatehouseRoute({ oauth2: true })
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
