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
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorBody } from '../common/errors/error-body';
import { ClientInfo } from '../tokens/client-info';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { UserResponse } from '../users/dto/user.response';
import { User } from '../users/entities/user.entity';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { Client } from './decorators/client-info.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { LoginDto, RefreshDto, RegisterDto } from './dto/credentials.dto';
import { ChangePasswordDto } from './dto/session.dto';
import { TokenRequestDto } from './dto/token-request.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RateLimited } from './throttling/rate-limited.decorator';
import { OAuth2ExceptionFilter } from './oauth2/oauth2-exception.filter';
import { OAuth2TokenService } from './oauth2/oauth2-token.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { AppValidationPipe } from '../common/pipes/app-validation.pipe';

@ApiTags('auth')
@ApiBadRequestResponse({ description: 'Invalid input', type: ErrorBody })
// Guarded and validated here too, so the routes keep their protection and input rules in an
// application that turns the global guards off or has no global validation pipe.
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(AppValidationPipe)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly oauth2: OAuth2TokenService,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'The email is already registered', type: ErrorBody })
  @RateLimited()
  register(@Body() dto: RegisterDto): Promise<UserResponse> {
    return this.auth.register(dto.email, dto.password);
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Log in with email and password; returns an access + refresh pair' })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password', type: ErrorBody })
  @RateLimited()
  login(
    @Body() _dto: LoginDto,
    // On this route the caller is the User that LocalStrategy proved, not a bearer AuthUser.
    @CurrentUser() user: User,
    @Client() client: ClientInfo,
  ): Promise<TokenPairResponse> {
    return this.auth.login(user, client);
  }

  @Public()
  @Post('token')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @UseFilters(OAuth2ExceptionFilter)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'OAuth2 token endpoint (RFC 6749): password and refresh_token grants',
    description:
      'What Swagger UI\'s "Authorize" password flow and OAuth2 client libraries call. ' +
      'Errors follow RFC 6749 §5.2: `{ "error": "invalid_grant", "error_description": "…" }`.',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @RateLimited()
  token(@Body() dto: TokenRequestDto, @Client() client: ClientInfo): Promise<TokenPairResponse> {
    return this.oauth2.exchange(dto, client);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The refresh token is single use. Presenting one that was already exchanged revokes the ' +
      'whole session (RFC 9700 §4.14.2).',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired, revoked or reused', type: ErrorBody })
  @RateLimited()
  refresh(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<TokenPairResponse> {
    return this.auth.refresh(dto.refresh_token, client);
  }

  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Change the password; every other session is ended',
    description: 'The session making the request stays signed in.',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiForbiddenResponse({ description: 'The current password is wrong', type: ErrorBody })
  changePassword(
    @CurrentUser() caller: AuthUser,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.auth.changePassword(caller, dto.current_password, dto.new_password, client);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "End the caller's session: its access and refresh tokens stop working" })
  @ApiNoContentResponse({ description: 'Logged out' })
  logout(@CurrentUser() caller: AuthUser, @Client() client: ClientInfo): Promise<void> {
    return this.auth.logout(caller, client);
  }
}
