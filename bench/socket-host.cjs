// The host for bench target 11: a gateway with the same handler guarded (JwtAuthGuard, RolesGuard,
// @CurrentUser()) and not, on GatehouseIoAdapter, built from dist/ as a host would use the package.
// Plain JavaScript: the decorators are applied by hand. Prints "listening <port>" once up.
require('reflect-metadata');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Module, UseGuards } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { MessageBody, SubscribeMessage, WebSocketGateway } = require('@nestjs/websockets');
const gatehouse = require('../dist/index.js');
const { GatehouseIoAdapter } = require('../dist/sockets/io-adapter.js');

class Gateway {
  guarded(user) {
    return user.id;
  }
  open(data) {
    return data.id;
  }
}
const method = (name, decorators) =>
  Reflect.decorate(decorators, Gateway.prototype, name, Object.getOwnPropertyDescriptor(Gateway.prototype, name));
method('guarded', [SubscribeMessage('guarded'), UseGuards(gatehouse.JwtAuthGuard, gatehouse.RolesGuard)]);
gatehouse.CurrentUser()(Gateway.prototype, 'guarded', 0);
method('open', [SubscribeMessage('open')]);
MessageBody()(Gateway.prototype, 'open', 0);
Reflect.decorate([WebSocketGateway()], Gateway);

const schema = gatehouse.gatehouseSchema();
class HostModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: schema.entities, migrations: schema.migrations, migrationsRun: true }),
        gatehouse.AuthModule.forRoot({
          jwt: { secret: process.env.JWT_SECRET },
          bcryptCost: 4,
          globalGuards: false,
          settings: { TOKEN_CLEANUP_INTERVAL: '0', THROTTLE_DISABLED: '1', MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'bench-socket-')) },
        }),
      ],
      providers: [Gateway],
    }),
  ],
  HostModule,
);

(async () => {
  const app = await NestFactory.create(HostModule, { logger: ['error'] });
  app.useWebSocketAdapter(new GatehouseIoAdapter(app));
  await app.listen(0, '127.0.0.1');
  console.log(`listening ${app.getHttpServer().address().port}`);
})();
