import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsString,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import { hasHiddenCharacters } from '../canonical-email';
import { normalizeEmail } from '../users.service';

/** Refuses an address with controls (CR, LF…), invisible, format or direction characters. */
export const NoHiddenCharacters = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'noHiddenCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasHiddenCharacters(value),
      },
    },
    {
      message: '$property contains a control, invisible, format or direction character',
      ...options,
    },
  );

/**
 * An `email` field, compared in its stored form: canonicalised before it is validated (so the
 * length limit applies to what is stored), refused with a hidden character. `address`: it must
 * also be a well-formed address (registration, mails); login takes any string up to the limits,
 * so that today's rules lock no older account out.
 */
export const EmailField = ({ address, optional }: { address: boolean; optional?: string }) =>
  applyDecorators(
    optional === undefined
      ? ApiProperty({ example: 'ada@example.com', maxLength: 254 })
      : ApiPropertyOptional({ example: 'ada@example.com', maxLength: 254, description: optional }),
    // Not IsOptional, which lets null through: absent is fine, null is not an address.
    ...(optional === undefined
      ? []
      : [ValidateIf((o: { email?: unknown }) => o.email !== undefined)]),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? normalizeEmail(value) : value,
    ),
    IsString(),
    NoHiddenCharacters(),
    address ? IsEmail({}, { message: 'email must be an email address' }) : MinLength(1),
    MaxLength(254),
  );
