import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { GatehouseAuthOptions } from '../config/gatehouse-config';
import { JwtAuthGuard } from '../core/guards/jwt-auth.guard';
import { RolesGuard } from '../core/guards/roles.guard';
import { AUTH_MODULE_OPTIONS } from './auth.module-definition';

/** Nest's metadata keys, by value: importing them would load packages a host may not have. */
const GATEWAY = 'websockets:is_gateway';
const GATEWAY_MESSAGE = 'message';
const MESSAGE_PATTERN = 'microservices:pattern';

/**
 * The global guards on gateways and message handlers too. Nest applies global guards to HTTP
 * routes and resolvers, but never to gateway messages (their guards are built without the
 * application's configuration), and to a hybrid app's message handlers only with
 * `inheritAppConfig` (nestjs/nest#7542). So, when the guards are global, each `@SubscribeMessage`
 * handler of a gateway and each `@MessagePattern`/`@EventPattern` handler gets JwtAuthGuard and
 * RolesGuard first among its own guards, as the instances AuthModule made. Done when this is
 * constructed: after the modules are scanned, before Nest binds any handler.
 */
@Injectable()
export class MessageHandlerGuards {
  /** Handlers given the guards, so that one seen twice (a class in two modules) is done once. */
  private static readonly guarded = new WeakSet<object>();

  constructor(
    modules: ModulesContainer,
    @Inject(AUTH_MODULE_OPTIONS) options: GatehouseAuthOptions,
    jwt: JwtAuthGuard,
    roles: RolesGuard,
  ) {
    if (options.globalGuards === false) return;
    const scanner = new MetadataScanner();
    for (const module of modules.values()) {
      for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
        const type: unknown = wrapper.metatype;
        if (typeof type !== 'function') continue;
        const prototype = type.prototype as Record<string, unknown> | undefined;
        if (!prototype) continue;
        const gateway = Reflect.getMetadata(GATEWAY, type) === true;
        for (const name of scanner.getAllMethodNames(prototype)) {
          const handler = prototype[name];
          if (typeof handler !== 'function' || MessageHandlerGuards.guarded.has(handler)) continue;
          const message =
            (gateway && Reflect.getMetadata(GATEWAY_MESSAGE, handler) !== undefined) ||
            Reflect.getMetadata(MESSAGE_PATTERN, handler) !== undefined;
          if (!message) continue;
          MessageHandlerGuards.guarded.add(handler);
          const own = (Reflect.getMetadata(GUARDS_METADATA, handler) as CanActivate[]) ?? [];
          Reflect.defineMetadata(GUARDS_METADATA, [jwt, roles, ...own], handler);
        }
      }
    }
  }
}
