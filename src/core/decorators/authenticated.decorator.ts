import { UseGuards, UsePipes, applyDecorators } from '@nestjs/common';
import { GatehouseValidationPipe } from '../../common/pipes/gatehouse-validation.pipe';
import { JwtAuthGuard } from '../guards/jwt-auth.guard';
import { RolesGuard } from '../guards/roles.guard';
import { Roles } from './roles.decorator';

/**
 * What every Gatehouse controller declares for itself: a live bearer token (unless a handler is
 * `@Public()`), the roles it names, and Gatehouse's validation pipe. Declared on the controller,
 * so Gatehouse's routes keep their protection and input rules in an application that turns the
 * global guards off or has no global validation pipe. JwtAuthGuard does not verify twice when the
 * global guard ran first.
 */
export const Authenticated = (options: { roles?: [string, ...string[]] } = {}) =>
  applyDecorators(
    ...(options.roles ? [Roles(...options.roles)] : []),
    UseGuards(JwtAuthGuard, RolesGuard),
    UsePipes(GatehouseValidationPipe),
  );
