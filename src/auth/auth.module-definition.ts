import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { GatehouseAuthOptions } from '../config/gatehouse-config';

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<GatehouseAuthOptions>()
  .setClassMethodName('forRoot')
  // Global: the guards, the user and token services and the configuration must be reachable
  // from the application's own modules without importing AuthModule a second time.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
