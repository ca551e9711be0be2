import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { Session } from '../entities/session.entity';
import { MAX_PASSWORD_BYTES } from '../../users/password-hasher.service';
import { MIN_PASSWORD_LENGTH, NewPassword } from '../../users/decorators/password-policy.decorator';
import { CurrentPassword } from '../../users/dto/current-password';

/** One login on one device. */
export class SessionResponse {
  @ApiProperty({ format: 'uuid', description: 'The `sid` claim of its tokens.' })
  id!: string;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty({ description: 'Last refresh or request (recorded at most once a minute).' })
  lastUsedAt!: Date;

  @ApiProperty({ description: 'When its refresh token expires, unless refreshed before.' })
  expiresAt!: Date;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ description: 'The session of the token making this request.' })
  current!: boolean;

  static from(session: Session, currentId: string): SessionResponse {
    const { id, createdAt, lastUsedAt, expiresAt, userAgent, ip } = session;
    return { id, createdAt, lastUsedAt, expiresAt, userAgent, ip, current: id === currentId };
  }
}

export class LogoutAllDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Keep the session making this request; then the proof of who is asking is needed (current_password, or a recent sign-in).',
  })
  @IsOptional()
  @IsBoolean()
  except_current?: boolean;

  @CurrentPassword()
  current_password?: string;
}

export class ChangePasswordDto {
  // Examples a Try it out can send as they are: "string" would be too short a new password.
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  current_password!: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH, example: 'a new correct horse battery staple' })
  @NewPassword()
  new_password!: string;
}

export class RevokedCount {
  @ApiProperty({ description: 'How many live tokens were revoked.' })
  revoked_tokens!: number;
}
