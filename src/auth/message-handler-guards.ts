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
 * RolesGuard before its own method-level guards (after its class's), as the instances
 * AuthModule made. Done when this is constructed: after the modules are scanned, before Nest
 * binds any handler.
 *
 * The metadata is the handler function's, shared by every application of the process that uses
 * the class: each application puts its own guards in place of those an earlier one put (a test
 * suite that starts the app anew gets the new app's), or takes them out (`globalGuards: false`).
 */
@Injectable()
export class MessageHandlerGuards {
  /** Guards this class has put in handlers' metadata, in any application of the process. */
  private static readonly ours = new WeakSet<object>();

  constructor(
    modules: ModulesContainer,
    @Inject(AUTH_MODULE_OPTIONS) options: GatehouseAuthOptions,
    jwt: JwtAuthGuard,
    roles: RolesGuard,
  ) {
    const global = options.globalGuards !== false;
    if (global) {
      MessageHandlerGuards.ours.add(jwt);
      MessageHandlerGuards.ours.add(roles);
    }
    const scanner = new MetadataScanner();
    const done = new Set<unknown>();
    for (const module of modules.values()) {
      for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
        const type: unknown = wrapper.metatype;
        if (typeof type !== 'function') continue;
        const prototype = type.prototype as Record<string, unknown> | undefined;
        if (!prototype) continue;
        const gateway = Reflect.getMetadata(GATEWAY, type) === true;
        for (const name of scanner.getAllMethodNames(prototype)) {
          const handler = prototype[name];
          if (typeof handler !== 'function' || done.has(handler)) continue;
          const message =
            (gateway && Reflect.getMetadata(GATEWAY_MESSAGE, handler) !== undefined) ||
            Reflect.getMetadata(MESSAGE_PATTERN, handler) !== undefined;
          if (!message) continue;
          done.add(handler);
          const own = (
            (Reflect.getMetadata(GUARDS_METADATA, handler) as CanActivate[] | undefined) ?? []
          ).filter((guard) => !MessageHandlerGuards.ours.has(guard));
          Reflect.defineMetadata(GUARDS_METADATA, global ? [jwt, roles, ...own] : own, handler);
        }
      }
    }
  }
}
