import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { APP_OPTIONS, configureApp } from './app.setup';
import { AllConfig, loadDotEnv, validateEnvironment } from './config';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  validateEnvironment();
  // Imported only now: building the module graph reads the configuration validated above.
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create(AppModule, { ...APP_OPTIONS, abortOnError: false });
  configureApp(app);
  const { port, host } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  await app.listen(port, host);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  new Logger('Gatehouse').log(`listening on ${url}; API docs at ${url}/docs`);
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the bad variables; show them without a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  new Logger('Gatehouse').error(`failed to start: ${message}`);
  process.exit(1);
});
