import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable } from 'rxjs';

/**
 * Sets `Cache-Control: no-store` before the handler runs, so the header is on a 503 as well as
 * on a 200: a cached probe answer would hide a change of state. (`@Header()` only reaches
 * successful responses.)
 */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<unknown>();
    this.adapterHost.httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    return next.handle();
  }
}
