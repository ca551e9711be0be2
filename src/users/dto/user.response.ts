import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { GatehouseUser } from '../user-store';

/** What the API shows of an account: never the password hash. */
export class UserResponse {
  @ApiProperty({
    description: "A UUID for Gatehouse's own accounts; the host's id, as text, for its own.",
    example: '7d9f2c4e-1b3a-4f6e-9c8d-2a5b7e1f3c60',
  })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: [String], example: ['user'] })
  roles!: string[];

  // Examples of a newly registered account; without them Swagger UI shows `true` for a boolean.
  @ApiProperty({ example: false, description: 'A disabled account cannot sign in.' })
  disabled!: boolean;

  @ApiProperty({
    description: 'Whether the owner has proven the address (verification or reset link).',
    example: false,
  })
  emailVerified!: boolean;

  @ApiPropertyOptional({
    description: 'Absent when the accounts live in a host table without it.',
    example: '2025-01-15T09:30:00.000Z',
  })
  createdAt?: Date;

  @ApiPropertyOptional({
    description: 'Absent when the accounts live in a host table without it.',
    example: '2025-01-15T09:30:00.000Z',
  })
  updatedAt?: Date;

  static from(user: GatehouseUser): UserResponse {
    const { id, email, roles, disabled, createdAt, updatedAt } = user;
    return {
      id,
      email,
      roles,
      disabled,
      emailVerified: Boolean(user.emailVerifiedAt),
      createdAt,
      updatedAt,
    };
  }
}

export class UserPage {
  @ApiProperty({ type: [UserResponse] })
  items!: UserResponse[];

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 0 })
  offset!: number;
}
