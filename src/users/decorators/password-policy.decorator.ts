import { applyDecorators } from '@nestjs/common';
import { IsString, MinLength, ValidationOptions, registerDecorator } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { isCommonPassword } from '../common-passwords';
import { MAX_PASSWORD_BYTES } from '../password-hasher.service';

export const MIN_PASSWORD_LENGTH = 8;

function NotCommonPassword(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'notCommonPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property is one of the most common passwords', ...options },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isCommonPassword(value),
      },
    });
  };
}

/**
 * The rules for a new password (registration, change, reset): 8+ characters, at most 72 bytes in
 * UTF-8 (bcrypt reads no more; longer is refused, never truncated), not a common password.
 */
export const NewPassword = () =>
  applyDecorators(
    IsString(),
    MinLength(MIN_PASSWORD_LENGTH),
    MaxUtf8Bytes(MAX_PASSWORD_BYTES),
    NotCommonPassword(),
  );
