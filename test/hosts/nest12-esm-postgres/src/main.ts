import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { applyGatehouseSwagger } from 'nestjs-gatehouse';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const config = new DocumentBuilder().setTitle('Host').build();
  const document = applyGatehouseSwagger(app, SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('api', app, document);
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
await bootstrap();
