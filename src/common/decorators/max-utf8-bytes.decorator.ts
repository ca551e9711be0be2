import { ValidationOptions, registerDecorator } from 'class-validator';

/** A string whose UTF-8 encoding is at most `max` bytes (bcrypt, for one, reads only 72). */
export function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options: { message: `$property must be at most ${max} bytes in UTF-8`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && Buffer.byteLength(value.normalize('NFC'), 'utf8') <= max,
      },
    });
  };
}
