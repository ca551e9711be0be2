import { ArgumentsHost, Catch, ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Lets a failed check leave in terminus' own shape (`{ status: 'error', info, error, details }`),
 * which probes and dashboards read, instead of the app-wide ErrorBody the global filter would
 * turn it into. Scoped to the health controller.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFailedFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
