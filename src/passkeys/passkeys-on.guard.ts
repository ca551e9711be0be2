import { CanActivate, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { GatehouseConfig } from '../config/gatehouse-config';

export const PASSKEYS_OFF = 'Passkeys are off';

/** With PASSKEYS=false the passkey routes answer 404, as routes that do not exist would. */
@Injectable()
export class PasskeysOnGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(config: GatehouseConfig) {
    this.enabled = config.get('passkeys', { infer: true }).enabled;
  }

  canActivate(): boolean {
    if (!this.enabled) throw new DomainError(ErrorCode.NotFound, PASSKEYS_OFF);
    return true;
  }
}

/** Puts PasskeysOnGuard on a controller or route, with the 404 it answers in the docs. */
export const PasskeysOn = () =>
  applyDecorators(
    UseGuards(PasskeysOnGuard),
    ApiErrorResponse('Passkeys are off (PASSKEYS=false)', {
      code: ErrorCode.NotFound,
      message: PASSKEYS_OFF,
      name: 'NOT_FOUND: passkeys off',
    }),
  );
