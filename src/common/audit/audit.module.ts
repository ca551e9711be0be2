import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service';

/** The audit trail, global: events are recorded by the services of every feature module. */
@Global()
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}
