import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsObject, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { EmailField } from '../../users/dto/email-field';
import type { Passkey } from '../entities/passkey.entity';

/**
 * What the browser's WebAuthn call gave, as JSON (`startRegistration` / `startAuthentication` of
 * @simplewebauthn/browser, or `credential.toJSON()`). Its shape is the WebAuthn spec's, checked
 * by the verifier rather than here: browsers add members over time.
 */
export const WebAuthnAnswer = (description: string) =>
  applyAll(
    ApiProperty({
      type: 'object',
      additionalProperties: true,
      description,
      example: {
        id: 'kZ3h…',
        rawId: 'kZ3h…',
        type: 'public-key',
        response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4…', '…': '…' },
        clientExtensionResults: {},
      },
    }),
    IsObject(),
  );

const applyAll =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };

/** A name people give their passkey: trimmed, 1-64 characters, no control characters. */
const PasskeyName = () =>
  applyAll(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() : value,
    ),
    IsString(),
    MinLength(1),
    MaxLength(64),
    Matches(/^[^\p{Cc}\p{Cf}]*$/u, { message: '$property may not hold control characters' }),
  );

export class RegisterPasskeyDto {
  @WebAuthnAnswer('What `navigator.credentials.create()` gave, as JSON (`startRegistration`).')
  response!: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'MacBook Touch ID',
    description:
      'What to call it (1-64 characters). Default: "Synced passkey" or "Device-bound passkey".',
  })
  @ValidateIf((o: RegisterPasskeyDto) => o.name !== undefined)
  @PasskeyName()
  name?: string;
}

export class RenamePasskeyDto {
  @ApiProperty({ example: 'Work laptop', description: '1-64 characters.' })
  @PasskeyName()
  name!: string;
}

export class PasskeySignInOptionsDto {
  @EmailField({
    address: false,
    optional:
      'The email typed, if any: only its passkeys are accepted. Without it, any passkey of this site may answer (the browser offers the ones it holds).',
  })
  email?: string;
}

export class PasskeyLoginDto {
  @WebAuthnAnswer('What `navigator.credentials.get()` gave, as JSON (`startAuthentication`).')
  response!: Record<string, unknown>;
}

export class PasskeySecondFactorOptionsDto {
  @ApiProperty({ description: 'The mfa_token the password step answered with.' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  mfa_token!: string;
}

export class PasskeyResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'MacBook Touch ID' })
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: Date | null;

  @ApiProperty({
    enum: ['singleDevice', 'multiDevice'],
    description:
      "`multiDevice`: it may be synced to the owner's other devices (a password manager, iCloud Keychain).",
  })
  device_type!: string;

  @ApiProperty({ description: 'Whether it is backed up (synced) now.' })
  backed_up!: boolean;

  @ApiProperty({ type: [String], example: ['internal', 'hybrid'] })
  transports!: string[];

  static of(passkey: Passkey): PasskeyResponse {
    return {
      id: passkey.id,
      name: passkey.name,
      created_at: passkey.createdAt,
      last_used_at: passkey.lastUsedAt,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      transports: passkey.transports ? passkey.transports.split(',') : [],
    };
  }
}

/** The options for the browser's WebAuthn call, as @simplewebauthn/browser takes them (`optionsJSON`). */
export const WEBAUTHN_OPTIONS_SCHEMA = {
  type: 'object' as const,
  additionalProperties: true,
  description:
    'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3): pass it as `optionsJSON` to `startRegistration` / `startAuthentication` of @simplewebauthn/browser, or to `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`.',
  example: {
    challenge: 'uW2m…',
    rpId: 'example.com',
    timeout: 300000,
    userVerification: 'required',
    allowCredentials: [],
  },
};
