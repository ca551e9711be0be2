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
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimited } from './throttling/rate-limited.decorator';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from './openapi/error-responses';
import type { Caller } from './auth-user';
import { CurrentUser } from './decorators/current-user.decorator';
import { ConfirmBody, ConfirmDto } from './dto/current-password';
import { LogoutAllDto, RevokedCount, SessionResponse } from './dto/session.dto';
import { AccountSessionsService } from './account-sessions.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { GatehouseValidationPipe } from '../common/pipes/gatehouse-validation.pipe';
import { Client } from './decorators/client-info.decorator';
import type { ClientInfo } from '../tokens/client-info';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('sessions')
// Guarded and validated here too, so the routes keep their protection and input rules in an
// application that turns the global guards off or has no global validation pipe.
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(GatehouseValidationPipe)
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
