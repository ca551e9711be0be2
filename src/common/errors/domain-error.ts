import { HttpStatus } from '@nestjs/common';

/** Stable, machine-readable error codes; clients may switch on them. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedBody = 'MALFORMED_BODY',
  BodyTooDeep = 'BODY_TOO_DEEP',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  EmailTaken = 'EMAIL_TAKEN',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  /** A signed-in user gave the wrong current password (not a reason to drop their token). */
  WrongCurrentPassword = 'WRONG_CURRENT_PASSWORD',
  AccountDisabled = 'ACCOUNT_DISABLED',
  /** AUTH_REQUIRE_VERIFIED_EMAIL is on and the account's address is not verified yet. */
  EmailNotVerified = 'EMAIL_NOT_VERIFIED',
  /** A verification or reset token that is unknown, spent, superseded or expired. */
  InvalidOneTimeToken = 'INVALID_ONE_TIME_TOKEN',
  /** The mfa_token of the two-factor step is missing, forged, expired or already spent. */
  InvalidMfaToken = 'INVALID_MFA_TOKEN',
  /** At the login step: the code or recovery code is wrong, or was used already. */
  InvalidTwoFactorCode = 'INVALID_TWO_FACTOR_CODE',
  /** A signed-in user gave a wrong code (enable, disable): not a reason to drop their token. */
  WrongTwoFactorCode = 'WRONG_TWO_FACTOR_CODE',
  TwoFactorAlreadyEnabled = 'TWO_FACTOR_ALREADY_ENABLED',
  TwoFactorNotEnabled = 'TWO_FACTOR_NOT_ENABLED',
  /** enable without a pending setup. */
  TwoFactorNotSetUp = 'TWO_FACTOR_NOT_SET_UP',
  /** The stored TOTP secret cannot be opened (MFA_ENCRYPTION_KEY changed): recovery codes still work. */
  TwoFactorUnavailable = 'TWO_FACTOR_UNAVAILABLE',
  TwoFactorNotRemovable = 'TWO_FACTOR_NOT_REMOVABLE',
  /** The passkey challenge an answer names is unknown, spent, expired or for another step. */
  InvalidPasskeyChallenge = 'INVALID_PASSKEY_CHALLENGE',
  /** A new passkey's registration did not verify (origin, RP id, user verification, format). */
  InvalidPasskey = 'INVALID_PASSKEY',
  /** A passkey's assertion did not verify, or names a passkey this step does not accept. */
  PasskeyRefused = 'PASSKEY_REFUSED',
  /** The credential is registered already (to this account or another). */
  PasskeyAlreadyRegistered = 'PASSKEY_ALREADY_REGISTERED',
  /** The account holds as many passkeys as it may. */
  PasskeyLimitReached = 'PASSKEY_LIMIT_REACHED',
  /** Cookie mode: the request's Origin is missing or not allowed to use the session cookie. */
  OriginNotAllowed = 'ORIGIN_NOT_ALLOWED',
  /** No bearer token was presented. */
  Unauthenticated = 'UNAUTHENTICATED',
  ReauthenticationRequired = 'REAUTHENTICATION_REQUIRED',
  /** A bearer token was presented but is forged, expired, revoked or unknown. */
  InvalidToken = 'INVALID_TOKEN',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  /** Client credentials (HTTP Basic) missing or wrong, at the OAuth2 endpoints. */
  InvalidClient = 'INVALID_CLIENT',
  RefreshTokenReused = 'REFRESH_TOKEN_REUSED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
  HttpError = 'HTTP_ERROR',
}

export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedBody]: HttpStatus.BAD_REQUEST,
  [ErrorCode.BodyTooDeep]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [ErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.WrongCurrentPassword]: HttpStatus.FORBIDDEN,
  [ErrorCode.AccountDisabled]: HttpStatus.FORBIDDEN,
  [ErrorCode.EmailNotVerified]: HttpStatus.FORBIDDEN,
  [ErrorCode.InvalidOneTimeToken]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidMfaToken]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidTwoFactorCode]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.WrongTwoFactorCode]: HttpStatus.FORBIDDEN,
  [ErrorCode.TwoFactorAlreadyEnabled]: HttpStatus.CONFLICT,
  [ErrorCode.TwoFactorNotEnabled]: HttpStatus.CONFLICT,
  [ErrorCode.TwoFactorNotSetUp]: HttpStatus.CONFLICT,
  [ErrorCode.TwoFactorUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.TwoFactorNotRemovable]: HttpStatus.CONFLICT,
  [ErrorCode.InvalidPasskeyChallenge]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidPasskey]: HttpStatus.BAD_REQUEST,
  [ErrorCode.PasskeyRefused]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.PasskeyAlreadyRegistered]: HttpStatus.CONFLICT,
  [ErrorCode.PasskeyLimitReached]: HttpStatus.CONFLICT,
  [ErrorCode.OriginNotAllowed]: HttpStatus.FORBIDDEN,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.ReauthenticationRequired]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidToken]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidRefreshToken]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidClient]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.RefreshTokenReused]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.TooManyRequests]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.HttpError]: HttpStatus.BAD_REQUEST,
};

/**
 * An expected failure of the domain. Services throw these; {@link HttpErrorFilter} turns them into
 * HTTP answers, so services never import HTTP exceptions.
 */
export class DomainError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    /** Field-level problems, for validation errors. */
    public readonly details?: string[],
    /** Logged by the filter, never sent: why a token was refused, for instance. */
    public readonly internalReason?: string,
    /** For 429 and 503: when to try again, sent as `Retry-After` (seconds). */
    public readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): HttpStatus {
    return ERROR_STATUS[this.code];
  }
}

/**
 * The operation changes how the account signs in, and the session's sign-in is older than
 * `maxAgeSeconds`: the caller proves it is them again, with the password in the request or by
 * signing in anew. Answered as RFC 9470's step-up challenge (`insufficient_user_authentication`).
 */
export class ReauthenticationRequired extends DomainError {
  constructor(public readonly maxAgeSeconds: number) {
    super(
      ErrorCode.ReauthenticationRequired,
      'Confirm it is you: send current_password, or sign in again',
      undefined,
      'sign-in too old',
    );
  }
}
