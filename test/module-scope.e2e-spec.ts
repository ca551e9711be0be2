import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  Module,
  Optional,
  UseGuards,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  type AuthUser,
  CurrentUser,
  GatehouseConfig,
  JwtAuthGuard,
  Roles,
  RolesGuard,
  UsersService,
} from '../src';
import { inMemoryHost } from './support/host-module';

/** A route of the host's root module, the module that imports AuthModule. */
@Controller('reports')
@UseGuards(JwtAuthGuard, RolesGuard)
class ReportsController {
  @Get('mine')
  mine(@CurrentUser() user: AuthUser) {
    return { owner: user.id };
  }

  @Get('all')
  @Roles('admin')
  all() {
    return { reports: [] };
  }
}

/** A feature module of the host's that does not import AuthModule: what can it inject? */
@Injectable()
class Billing {
  constructor(
    @Optional() readonly users?: UsersService,
    @Optional() readonly guard?: JwtAuthGuard,
    @Optional() readonly config?: GatehouseConfig,
  ) {}
}
@Module({ providers: [Billing] })
class BillingModule {}

async function boot(isGlobal: boolean | undefined) {
  const host = inMemoryHost({
    isGlobal,
    controllers: [ReportsController],
    imports: [BillingModule],
  });
  const moduleRef = await Test.createTestingModule({ imports: [host] }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({ logger: ['error'] });
  await app.init();
  return app;
}

const billing = (app: INestApplication) => app.select(BillingModule).get(Billing);

describe('AuthModule with isGlobal: false', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await boot(false);
  });
  afterAll(() => app.close());

  it('starts, and serves its routes and the guards of the module that imports it', async () => {
    const credentials = { email: 'ada@scope.example', password: 'correct horse battery staple' };
    const { body: user } = await http().post('/auth/register').send(credentials).expect(201);
    const login = await http().post('/auth/login').send(credentials).expect(200);
    const bearer = `Bearer ${(login.body as { access_token: string }).access_token}`;
    await http().get('/reports/mine').expect(401);
    await http()
      .get('/reports/mine')
      .set('Authorization', bearer)
      .expect(200, { owner: (user as { id: string }).id });
    await http().get('/reports/all').set('Authorization', bearer).expect(403);
    await http().get('/users/me').set('Authorization', bearer).expect(200);
  });

  it('keeps its services and guards out of the modules that do not import it', () => {
    expect(billing(app).users).toBeUndefined();
    expect(billing(app).guard).toBeUndefined();
  });
});

describe('AuthModule global (the default, also when isGlobal is given as undefined)', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    app = await boot(undefined);
  });
  afterAll(() => app.close());

  it('reaches every module of the host', () => {
    expect(billing(app).users).toBeInstanceOf(UsersService);
    expect(billing(app).guard).toBeInstanceOf(JwtAuthGuard);
    expect(billing(app).config).toBeInstanceOf(GatehouseConfig);
  });
});
