import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { configureApp, httpAdapterFor } from './app.setup';
import { AllConfig, loadDotEnv, validateEnvironment } from './config';
import { loadAppConfig } from './config/app.config';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  validateEnvironment();
  // Imported only now: building the module graph reads the configuration validated above.
  const { AppModule } = await import('./app.module');
  const { adapter, options } = httpAdapterFor(loadAppConfig());
  const app = adapter
    ? await NestFactory.create(AppModule, adapter, { ...options, abortOnError: false })
    : await NestFactory.create(AppModule, { ...options, abortOnError: false });
  await configureApp(app);
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
