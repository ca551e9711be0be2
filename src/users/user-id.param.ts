import { BadRequestException, Param, PipeTransform } from '@nestjs/common';

/**
 * A user id in a path: Gatehouse's UUIDs, or the host's ids (an integer, a UUID, a short key),
 * as text of at most 36 characters, the width of Gatehouse's user_id columns. Anything else is a
 * 400 before any lookup; an id of the right shape that no account has is the store's 404.
 */
const USER_ID = /^[A-Za-z0-9._~:@-]{1,36}$/;

class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!USER_ID.test(value))
      throw new BadRequestException('Validation failed (a user id is expected)');
    return value;
  }
}

export const UserIdParam = () => Param('id', new UserIdPipe());
