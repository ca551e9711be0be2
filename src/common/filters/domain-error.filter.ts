import { Catch } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { HttpErrorFilter } from './http-error.filter';

/**
 * Gatehouse's own errors (a refused token, a missing role…) as HTTP answers, in an application
 * that keeps its own handling for everything else: AuthModule registers this one, which catches
 * DomainError only. Gatehouse's app also installs HttpErrorFilter for all the rest.
 */
@Catch(DomainError)
export class DomainErrorFilter extends HttpErrorFilter {}
