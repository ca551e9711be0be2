import { ApiProperty } from '@nestjs/swagger';

/** RFC 6749 §5.1 access token response, with the refresh token of the same session. */
export class TokenPairResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`.', example: 'eyJhbGciOi…' })
  access_token!: string;

  @ApiProperty({
    description: 'Single use: exchange it at /auth/refresh for a new pair.',
    example: 'eyJhbGciOi…',
  })
  refresh_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Lifetime of the access token in seconds.' })
  expires_in!: number;

  @ApiProperty({ example: 1209600, description: 'Lifetime of the refresh token in seconds.' })
  refresh_expires_in!: number;
}
