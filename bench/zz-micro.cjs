require('reflect-metadata');
const { mkdtempSync } = require('node:fs'); const { tmpdir } = require('node:os'); const { join } = require('node:path');
const { Module } = require('@nestjs/common'); const { NestFactory } = require('@nestjs/core');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { ExecutionContextHost } = require('@nestjs/core/helpers/execution-context-host');
const gh = require('../dist/index.js');
const { LiveSessions } = require('../dist/tokens/live-sessions.service.js');
const schema = gh.gatehouseSchema();
class M {}
Reflect.decorate([Module({ imports: [TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: schema.entities, migrations: schema.migrations, migrationsRun: true }), gh.AuthModule.forRoot({ jwt: { secret: 'x'.repeat(48) }, bcryptCost: 4, globalGuards: false, settings: { TOKEN_CLEANUP_INTERVAL: '0', THROTTLE_DISABLED: '1', MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'm-')) } })] })], M);
class G { h() {} }
(async () => {
  const app = await NestFactory.create(M, { logger: ['error'] }); await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const j = async (p, b) => (await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })).json();
  await j('/auth/register', { email: 'a@example.com', password: 'long password 1' });
  const { access_token } = await j('/auth/login', { email: 'a@example.com', password: 'long password 1' });
  await app.get(LiveSessions).verify(access_token);
  const jwt = app.get(gh.JwtAuthGuard), roles = app.get(gh.RolesGuard);
  const socket = { handshake: { auth: { token: access_token }, headers: {} } };
  const run = (n) => { const t = performance.now(); for (let i = 0; i < n; i++) { const ctx = new ExecutionContextHost([socket, { id: 1 }, 'h'], G, G.prototype.h); ctx.setType('ws'); const r = jwt.canActivate(ctx); if (r !== true) throw new Error('async ' + r); roles.canActivate(ctx); } return (performance.now() - t) * 1000 / n; };
  run(20000); console.log('µs per message (jwt+roles):', run(200000).toFixed(2));
  const runJ = (n) => { const t = performance.now(); for (let i = 0; i < n; i++) { const ctx = new ExecutionContextHost([socket, { id: 1 }, 'h'], G, G.prototype.h); ctx.setType('ws'); jwt.canActivate(ctx); } return (performance.now() - t) * 1000 / n; };
  console.log('µs jwt only:', runJ(200000).toFixed(2));
  await app.close();
})();
