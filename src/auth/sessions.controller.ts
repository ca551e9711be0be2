import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import type { Caller } from '../core/auth-user';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { ConfirmBody, ConfirmDto } from '../users/dto/current-password';
import { LogoutAllDto, RevokedCount, SessionResponse } from '../tokens/dto/session.dto';
import { AccountSessionsService } from '../tokens/account-sessions.service';
import { Client } from '../core/decorators/client-info.decorator';
import type { ClientInfo } from '../core/client-info';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('sessions')
@Authenticated()
@Controller('auth')
@GatehouseRoute()
export class SessionsController {
  constructor(private readonly sessions: AccountSessionsService) {}

  @Get('sessions')
  @ApiOperation({ summary: "The caller's live sessions (one per login and device)" })
  @ApiOkResponse({ type: [SessionResponse] })
  list(@CurrentUser() caller: Caller): Promise<SessionResponse[]> {
    return this.sessions.list(caller);
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End one of the caller’s sessions: its tokens stop working everywhere' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiErrorResponse('No such session of the caller', {
    code: ErrorCode.NotFound,
    message: 'Session not found',
  })
  @ApiErrorResponse(
    'Reauthentication required (another session than this one): send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ApiErrorResponse('current_password is wrong', ErrorCode.WrongCurrentPassword)
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  revoke(
    @CurrentUser() caller: Caller,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() dto: ConfirmDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.sessions.revoke(caller, id, dto.current_password, client);
  }

  @Post('logout-all')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End every session of the caller, or every other one' })
  @ApiOkResponse({ type: RevokedCount })
  @ApiErrorResponse(
    'Reauthentication required (except_current): send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ApiErrorResponse('current_password is wrong', ErrorCode.WrongCurrentPassword)
  @ConfirmBody(LogoutAllDto, { except_current: false })
  @RateLimited()
  logoutAll(
    @CurrentUser() caller: Caller,
    @Body() dto: LogoutAllDto,
    @Client() client: ClientInfo,
  ): Promise<RevokedCount> {
    return this.sessions.logoutAll(
      caller,
      dto.except_current ?? false,
      dto.current_password,
      client,
    );
  }
}
