import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'gatehouse:isPublic';
/** The OpenAPI marker the docs setup reads to leave a route without a security requirement. */
export const PUBLIC_EXTENSION = 'x-gatehouse-public';

/** Opts a route (or a whole controller) out of the global JwtAuthGuard, in the docs too. */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
