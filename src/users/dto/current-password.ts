import { Type, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MinLength, ValidateIf } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { MAX_PASSWORD_BYTES } from '../password-hasher.service';

/**
 * `current_password` on a route that changes how the account signs in: optional within
 * REAUTH_MAX_AGE of signing in, required after (401 `REAUTHENTICATION_REQUIRED` says so).
 */
export const CurrentPassword = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'The account password. Needed when this session signed in longer ago than REAUTH_MAX_AGE (5 minutes by default); a wrong one counts toward the login lockout.',
    }),
    // Not IsOptional, which lets null through: absent is fine, null is not a password.
    ValidateIf((o: { current_password?: unknown }) => o.current_password !== undefined),
    IsString(),
    MinLength(1),
    MaxUtf8Bytes(MAX_PASSWORD_BYTES),
  );

/** The body of a route whose only input is the proof of who is asking. */
export class ConfirmDto {
  @CurrentPassword()
  current_password?: string;
}

/**
 * The body's documentation, with the usual case first: Swagger UI fills "Try it out" with the
 * first example, and one it made up itself would send `"current_password": "string"`, a wrong
 * password that counts toward the lockout.
 */
export const ConfirmBody = (type: Type, usual: Record<string, unknown>) =>
  ApiBody({
    type,
    examples: {
      'signed in recently': { value: usual },
      'with the password': { value: { ...usual, current_password: 'the account password' } },
    },
  });
