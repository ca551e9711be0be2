import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/domain-error';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';
import { ApiErrorResponse, UNKNOWN_FIELD } from '../common/openapi/error-responses';
import type { Caller } from '../core/auth-user';
import type { ClientInfo } from '../core/client-info';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { Client } from '../core/decorators/client-info.decorator';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { ConfirmBody, ConfirmDto } from '../users/dto/current-password';
import {
  PasskeyResponse,
  RegisterPasskeyDto,
  RenamePasskeyDto,
  WEBAUTHN_OPTIONS_SCHEMA,
} from './dto/passkey.dto';
import { PasskeyAccount } from './passkey-account.service';
import { PasskeysOn } from './passkeys-on.guard';

const PASSKEY_ID = new ParseUUIDPipe({ version: '4' });

/**
 * The signed-in user's passkeys: adding one (options, then the browser's answer), listing,
 * renaming, removing. Signing in with one is the auth feature's (PasskeyLoginController).
 */
@ApiTags('passkeys')
@ApiErrorResponse('Invalid input: `details` names each problem', UNKNOWN_FIELD)
@Authenticated()
@PasskeysOn()
@Controller('auth/passkeys')
@GatehouseRoute()
export class PasskeysController {
  constructor(private readonly account: PasskeyAccount) {}

  @Get()
  @ApiOperation({ summary: "The signed-in user's passkeys" })
  @ApiOkResponse({ type: [PasskeyResponse] })
  async list(@CurrentUser() caller: Caller): Promise<PasskeyResponse[]> {
    return (await this.account.list(caller.sub)).map((passkey) => PasskeyResponse.of(passkey));
  }

  @Post('registration/options')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Start adding a passkey: the options for navigator.credentials.create()',
    description:
      'Pass them to `startRegistration({ optionsJSON })` of @simplewebauthn/browser, then POST its result to /auth/passkeys/registration. The challenge works once, within PASSKEY_CHALLENGE_TTL (5 minutes).',
  })
  @ApiOkResponse({ schema: WEBAUTHN_OPTIONS_SCHEMA })
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ApiErrorResponse('current_password is wrong', ErrorCode.WrongCurrentPassword)
  @ApiErrorResponse('The account has as many passkeys as it may', ErrorCode.PasskeyLimitReached)
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  registrationOptions(
    @CurrentUser() caller: Caller,
    @Body() dto: ConfirmDto,
    @Client() client: ClientInfo,
  ): Promise<object> {
    return this.account.registrationOptions(caller, dto.current_password, client);
  }

  @Post('registration')
  @ApiOperation({
    summary: "Add the passkey the browser made: its answer to the options' challenge",
    description: 'The owner is mailed. Each challenge works once.',
  })
  @ApiCreatedResponse({ type: PasskeyResponse })
  @ApiErrorResponse(
    'The challenge is unknown, used or expired, or the answer does not verify',
    ErrorCode.InvalidPasskeyChallenge,
    ErrorCode.InvalidPasskey,
  )
  @ApiErrorResponse(
    'The passkey is registered already, or the account has as many as it may',
    ErrorCode.PasskeyAlreadyRegistered,
    ErrorCode.PasskeyLimitReached,
  )
  @RateLimited()
  async register(
    @CurrentUser() caller: Caller,
    @Body() dto: RegisterPasskeyDto,
    @Client() client: ClientInfo,
  ): Promise<PasskeyResponse> {
    return PasskeyResponse.of(await this.account.register(caller, dto.response, dto.name, client));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a passkey' })
  @ApiOkResponse({ type: PasskeyResponse })
  @ApiErrorResponse('No such passkey on this account', {
    code: ErrorCode.NotFound,
    message: 'Passkey not found',
  })
  @RateLimited()
  async rename(
    @CurrentUser() caller: Caller,
    @Param('id', PASSKEY_ID) id: string,
    @Body() dto: RenamePasskeyDto,
    @Client() client: ClientInfo,
  ): Promise<PasskeyResponse> {
    return PasskeyResponse.of(await this.account.rename(caller, id, dto.name, client));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Remove a passkey: the sessions it signed in end',
    description: 'Needs the password, or a recent sign-in. The owner is mailed.',
  })
  @ApiNoContentResponse({ description: 'Removed; its sessions are revoked' })
  @ConfirmBody(ConfirmDto, {})
  @ApiErrorResponse('No such passkey on this account', {
    code: ErrorCode.NotFound,
    message: 'Passkey not found',
  })
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ApiErrorResponse('current_password is wrong', ErrorCode.WrongCurrentPassword)
  @RateLimited()
  async remove(
    @CurrentUser() caller: Caller,
    @Param('id', PASSKEY_ID) id: string,
    @Body() dto: ConfirmDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.remove(caller, id, dto.current_password, client);
  }
}
