import {
  Body,
  Controller,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TokenIntrospectionService } from '../../tokens/token-introspection.service';
import { TokenRevocationService } from '../../tokens/token-revocation.service';
import { Public } from '../decorators/public.decorator';
import { IntrospectionResponse, PresentedTokenDto } from '../dto/oauth2.dto';
import { IntrospectionGuard } from '../guards/introspection.guard';
import { OAuth2ExceptionFilter } from './oauth2-exception.filter';
import { AppValidationPipe } from '../../common/pipes/app-validation.pipe';
import { Client } from '../decorators/client-info.decorator';
import type { ClientInfo } from '../../tokens/client-info';

@ApiTags('oauth2')
@UseFilters(OAuth2ExceptionFilter)
// Validated here too, so the routes keep their rules in an application without our global pipe.
@UsePipes(AppValidationPipe)
@Controller('oauth2')
export class OAuth2Controller {
  constructor(
    private readonly revocation: TokenRevocationService,
    private readonly introspection: TokenIntrospectionService,
  ) {}

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

  // Public for the global JWT guard: IntrospectionGuard accepts a client or an admin instead.
  @Public()
  @UseGuards(IntrospectionGuard)
  @Post('introspect')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiBasicAuth('introspection-client')
  @ApiBearerAuth('bearer')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Introspect a token (RFC 7662)',
    description:
      '`{"active": false}` for revoked, expired, unknown or foreign tokens; otherwise the claims. ' +
      'Callers: a client from INTROSPECTION_CLIENTS with HTTP Basic, or an admin bearer token.',
  })
  @ApiOkResponse({ type: IntrospectionResponse })
  introspect(@Body() dto: PresentedTokenDto): Promise<IntrospectionResponse> {
    return this.introspection.introspect(dto.token);
  }
}
