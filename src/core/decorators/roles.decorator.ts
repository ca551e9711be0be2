import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/domain-error';
import { ApiErrorResponse } from '../../common/openapi/error-responses';

export const ROLES_KEY = 'gatehouse:roles';

/** Requires the caller to hold at least one of these roles (checked by RolesGuard). */
export const Roles = (...roles: [string, ...string[]]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiErrorResponse(`Requires role: ${roles.join(' or ')}`, {
      code: ErrorCode.Forbidden,
      // RolesGuard's words.
      message: `This action requires the role ${roles.join(' or ')}`,
    }),
  );
