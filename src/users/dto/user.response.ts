import { ApiProperty } from '@nestjs/swagger';
import { User } from '../entities/user.entity';

/** What the API shows of an account: never the password hash. */
export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: [String], example: ['user'] })
  roles!: string[];

  @ApiProperty()
  disabled!: boolean;

  @ApiProperty({ description: 'Whether the owner has proven the address (verification or reset link).' })
  emailVerified!: boolean;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;

  static from(user: User): UserResponse {
    const { id, email, roles, disabled, createdAt, updatedAt } = user;
    return { id, email, roles, disabled, emailVerified: Boolean(user.emailVerifiedAt), createdAt, updatedAt };
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
