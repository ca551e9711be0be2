import { Body, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { TokenIntrospectionService } from '../../tokens/token-introspection.service';
import { Public } from '../../core/decorators/public.decorator';
import { IntrospectionResponse, PresentedTokenDto } from '../dto/oauth2.dto';
import { IntrospectionGuard } from '../guards/introspection.guard';
import { OAuth2Endpoints } from './oauth2-endpoints.decorator';

/** RFC 7662 introspection, for resource servers that do not verify tokens themselves. */
@OAuth2Endpoints()
export class IntrospectionController {
  constructor(private readonly introspection: TokenIntrospectionService) {}

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
