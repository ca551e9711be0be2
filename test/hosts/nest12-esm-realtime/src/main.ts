import { NestFactory } from '@nestjs/core';
import { Transport } from '@nestjs/microservices';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { GatehouseIoAdapter } from 'nestjs-gatehouse/socket.io';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  app.useWebSocketAdapter(new GatehouseIoAdapter(app));
  // A hybrid app without inheritAppConfig, where Nest's own global guards would not reach the TCP
  // handlers (nestjs/nest#7542): Gatehouse puts its global guards on them itself.
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: Number(process.env.TCP_PORT) },
  });
  await app.startAllMicroservices();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
await bootstrap();
