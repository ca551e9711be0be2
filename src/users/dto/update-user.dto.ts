import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional } from 'class-validator';
import { CurrentPassword } from './current-password';
import { ROLE_ADMIN, ROLE_USER } from '../entities/user.entity';

export const KNOWN_ROLES = [ROLE_USER, ROLE_ADMIN];

export class UpdateUserDto {
  @ApiPropertyOptional({
    description: 'Disabling ends every session and refuses its tokens at once.',
  })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    type: [String],
    enum: KNOWN_ROLES,
    description: 'Removing a role ends the user’s sessions, so it takes effect at once.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(KNOWN_ROLES.length)
  @IsIn(KNOWN_ROLES, { each: true })
  roles?: string[];

  @CurrentPassword()
  current_password?: string;
}
