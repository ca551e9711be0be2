import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { configureApp, httpAdapterFor } from './server/app.setup';
import { AppLogger } from './server/logging/app-logger';
import { AllConfig, loadDotEnv, validateServerEnvironment } from './server/server-config';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = validateServerEnvironment();
  // Imported only now: building the module graph reads the configuration validated above.
  const { AppModule } = await import('./server/app.module.js');
  const { adapter, options } = httpAdapterFor(config.app);
  const createOptions = { abortOnError: false, bufferLogs: true };
  const app = adapter
    ? await NestFactory.create(AppModule, adapter, { ...options, ...createOptions })
    : await NestFactory.create(AppModule, { ...options, ...createOptions });
  // From here on every log line, Nest's own included, is JSON on stdout. Lines logged while the
  // module graph was built were held back (bufferLogs) and are written now, in that format; had
  // building failed, Nest would have flushed them to the console instead.
  app.useLogger(app.get(AppLogger));
  await configureApp(app);
  // On SIGTERM/SIGINT Nest stops accepting connections, lets requests in flight finish, closes
  // the pools, then exits 0: process.exit rather than re-raising the signal, so the exit code
  // says "clean" and an asynchronous logger gets its exit event to flush on.
  app.enableShutdownHooks([], { useProcessExit: true });
  const { port, host } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  await app.listen(port, host);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  new Logger('Gatehouse').log(`listening on ${url}; API docs at ${url}/docs`);
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the bad variables; show them without a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  // Nest writes the lines it held back (bufferLogs) only once listening; a start that failed
  // before must write them, and this one, rather than leave them in the buffer.
  Logger.flush();
  new Logger('Gatehouse').error(`failed to start: ${message}`);
  process.exit(1);
});
