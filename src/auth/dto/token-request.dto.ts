import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AllowUnknownFields } from '../../common/pipes/gatehouse-validation.pipe';
import { NoHiddenCharacters } from '../../users/dto/email-field';

export enum GrantType {
  Password = 'password',
  RefreshToken = 'refresh_token',
}

/**
 * RFC 6749 token request (§4.3.2 password, §6 refresh_token), form-encoded. Which fields a grant
 * needs is checked by the grant itself, so a missing one is `invalid_request`, as §5.2 says.
 */
@AllowUnknownFields()
export class TokenRequestDto {
  @ApiProperty({ enum: GrantType, example: GrantType.Password })
  @IsString()
  @MaxLength(64)
  grant_type!: string;

  @ApiPropertyOptional({
    description: 'The account email (password grant).',
    example: 'ada@example.com',
  })
  @IsOptional()
  @IsString()
  @NoHiddenCharacters()
  @MaxLength(254)
  username?: string;

  @ApiPropertyOptional({ description: 'Password grant.', example: 'correct horse battery staple' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ description: 'Refresh token grant.' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: Gatehouse issues unscoped tokens.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;
}
