import { Controller, Get } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { JwtAuthGuard } from '../core/guards/jwt-auth.guard';
import type { RolesGuard } from '../core/guards/roles.guard';
import { MessageHandlerGuards } from './message-handler-guards';

// Nest's decorators, by their metadata: this spec needs neither @nestjs/websockets nor
// @nestjs/microservices to say what they mark.
const gateway: ClassDecorator = (target) =>
  Reflect.defineMetadata('websockets:is_gateway', true, target);
const message =
  (name: string): MethodDecorator =>
  (_target, _key, descriptor) =>
    Reflect.defineMetadata('message', name, descriptor.value as object);
const pattern =
  (name: string): MethodDecorator =>
  (_target, _key, descriptor) =>
    Reflect.defineMetadata('microservices:pattern', [name], descriptor.value as object);

const own = { canActivate: () => true };

function classes() {
  @gateway
  class Chat {
    @message('hello') hello() {}
    helper() {}
  }
  @Controller()
  class Jobs {
    @pattern('run') run() {}
    @Get() page() {}
  }
  Reflect.defineMetadata(GUARDS_METADATA, [own], Chat.prototype.hello);
  return { Chat, Jobs };
}

function containerOf(...types: Array<new () => object>): ModulesContainer {
  const wrappers = new Map(types.map((type) => [type, { metatype: type }]));
  const container = new ModulesContainer();
  container.set('host', {
    providers: wrappers,
    controllers: new Map([[types[1], { metatype: types[1] }]]),
  } as never);
  return container;
}

describe('MessageHandlerGuards', () => {
  const jwt = { canActivate: () => true } as unknown as JwtAuthGuard;
  const roles = { canActivate: () => true } as unknown as RolesGuard;
  const guardsOf = (handler: object) => Reflect.getMetadata(GUARDS_METADATA, handler) as unknown;

  it('puts the global guards first on gateway messages and message patterns, not on routes', () => {
    const { Chat, Jobs } = classes();
    new MessageHandlerGuards(containerOf(Chat, Jobs), {}, jwt, roles);
    expect(guardsOf(Chat.prototype.hello)).toEqual([jwt, roles, own]);
    expect(guardsOf(Jobs.prototype.run)).toEqual([jwt, roles]);
    expect(guardsOf(Jobs.prototype.page)).toBeUndefined();
    expect(guardsOf(Chat.prototype.helper)).toBeUndefined();
  });

  it('does each handler once, though its class be seen twice', () => {
    const { Chat, Jobs } = classes();
    new MessageHandlerGuards(containerOf(Chat, Jobs), {}, jwt, roles);
    new MessageHandlerGuards(containerOf(Chat, Jobs), {}, jwt, roles);
    expect(guardsOf(Jobs.prototype.run)).toEqual([jwt, roles]);
  });

  it('does nothing when the application keeps its guards to itself', () => {
    const { Chat, Jobs } = classes();
    new MessageHandlerGuards(containerOf(Chat, Jobs), { globalGuards: false }, jwt, roles);
    expect(guardsOf(Jobs.prototype.run)).toEqual([]);
    expect(guardsOf(Chat.prototype.hello)).toEqual([own]);
  });

  it('puts a later application’s guards in place of an earlier one’s, or takes them out', () => {
    const { Chat, Jobs } = classes();
    new MessageHandlerGuards(containerOf(Chat, Jobs), {}, jwt, roles);
    const jwt2 = { canActivate: () => true } as unknown as JwtAuthGuard;
    const roles2 = { canActivate: () => true } as unknown as RolesGuard;
    new MessageHandlerGuards(containerOf(Chat, Jobs), {}, jwt2, roles2);
    expect(guardsOf(Chat.prototype.hello)).toEqual([jwt2, roles2, own]);
    new MessageHandlerGuards(containerOf(Chat, Jobs), { globalGuards: false }, jwt, roles);
    expect(guardsOf(Chat.prototype.hello)).toEqual([own]);
  });
});
