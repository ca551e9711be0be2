import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PublicJwk {
  @ApiProperty({ enum: ['EC', 'RSA'] }) kty!: string;
  @ApiProperty({ example: 'Jb0VZ6rI4mEw1v9Gq7e3TnYtZ2sXk8pLh5dQw0aFcUo' }) kid!: string;
  @ApiProperty({ enum: ['ES256', 'RS256'] }) alg!: string;
  @ApiProperty({ example: 'sig' }) use!: string;
  @ApiPropertyOptional({ description: 'EC curve' }) crv?: string;
  @ApiPropertyOptional() x?: string;
  @ApiPropertyOptional() y?: string;
  @ApiPropertyOptional({ description: 'RSA modulus' }) n?: string;
  @ApiPropertyOptional({ description: 'RSA exponent' }) e?: string;
}

export class JwksResponse {
  @ApiProperty({ type: [PublicJwk] }) keys!: PublicJwk[];
}
