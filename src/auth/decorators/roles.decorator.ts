import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { ErrorBody } from '../../common/errors/error-body';

export const ROLES_KEY = 'gatehouse:roles';

/** Requires the caller to hold at least one of these roles (checked by RolesGuard). */
export const Roles = (...roles: [string, ...string[]]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}`, type: ErrorBody }),
  );
