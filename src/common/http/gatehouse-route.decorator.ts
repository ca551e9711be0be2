import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { HttpErrorFilter } from '../filters/http-error.filter';
import { RequestShapeGuard } from '../guards/request-shape.guard';

/**
 * What every Gatehouse controller carries, so that its routes keep their protections in a host
 * with none of the standalone server's global setup: a body in a media type the route does not
 * take is refused (415), a body over 64 KiB too (413), and every error answers in Gatehouse's
 * error shape, with a request id. Put it under the controller's own guards: decorators apply
 * bottom up, so its guard runs first.
 *
 * `oauth2`: the controller answers errors the RFC 6749 way through a filter of its own.
 */
export const GatehouseRoute = (options: { oauth2?: boolean } = {}) =>
  options.oauth2
    ? UseGuards(RequestShapeGuard)
    : applyDecorators(UseFilters(HttpErrorFilter), UseGuards(RequestShapeGuard));
