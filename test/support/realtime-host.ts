import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Controller, INestApplication, Module, Type, UseGuards } from '@nestjs/common';
import { Field, GraphQLModule, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayMetadata, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthModule,
  type AuthUser,
  CurrentUser,
  GraphqlWsConnections,
  JwtAuthGuard,
  Public,
  Roles,
  RolesGuard,
  gatehouseSchema,
} from '../../src';
import { buildDataSourceOptions } from '../../src/server/typeorm-options';
import { loadDatabaseConfig } from '../../src/server/database.config';
import { randomBytes } from 'node:crypto';
import { TestDatabase, createTestDatabase, databaseKinds } from './databases';

/** Nest's gateway options and the adapter's server options (socket.io's, for one). */
type GatewayOptions = GatewayMetadata & Record<string, unknown>;

export const REALTIME_SECRET = 'realtime-host-secret-0123456789abcdef0123456789ab';

@ObjectType()
class Me {
  @Field() id!: string;
  @Field(() => [String]) roles!: string[];
}

async function* ticksFor(id: string): AsyncGenerator<{ ticks: string }> {
  for (;;) {
    yield { ticks: id };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `@UseGuards(JwtAuthGuard, RolesGuard)`, or nothing where the global guards are to do it. */
const guards = (on: boolean): ClassDecorator =>
  on ? UseGuards(JwtAuthGuard, RolesGuard) : () => undefined;

/**
 * A host's resolver, gateway and message handlers, guarded with the names it uses for HTTP: by
 * `@UseGuards` on each class, or (`perClass: false`) by nothing but the global guards.
 */
function handlers(perClass: boolean, gatewayOptions: GatewayOptions = {}) {
  @Resolver()
  @guards(perClass)
  class MeResolver {
    @Query(() => Me)
    me(@CurrentUser() user: AuthUser): Me {
      return { id: user.id, roles: user.roles };
    }

    @Roles('admin')
    @Query(() => String)
    adminOnly(): string {
      return 'for admins';
    }

    @Public()
    @Query(() => String)
    hello(): string {
      return 'world';
    }

    /** The caller's id, every 20 ms, for as long as the subscription lasts. */
    @Subscription(() => String)
    ticks(@CurrentUser() user: AuthUser): AsyncIterator<{ ticks: string }> {
      return ticksFor(user.id);
    }
  }

  @WebSocketGateway(gatewayOptions)
  @guards(perClass)
  class ChatGateway {
    @SubscribeMessage('whoami')
    whoami(@CurrentUser() user: AuthUser): string {
      return user.id;
    }

    @Roles('admin')
    @SubscribeMessage('admin')
    admin(): string {
      return 'for admins';
    }

    @Public()
    @SubscribeMessage('ping')
    ping(): string {
      return 'pong';
    }
  }

  @Controller()
  @guards(perClass)
  class JobsController {
    @MessagePattern('whoami')
    whoami(@CurrentUser() user: AuthUser, @Payload() data: { n?: number }) {
      return { id: user.id, n: data.n ?? null };
    }

    @Roles('admin')
    @MessagePattern('admin')
    admin(): string {
      return 'for admins';
    }

    @Public()
    @MessagePattern('ping')
    ping(): string {
      return 'pong';
    }
  }
  return { MeResolver, ChatGateway, JobsController };
}

export interface RealtimeHostOptions {
  /** Default: an in-memory SQLite database. */
  db?: TestDatabase;
  /** Settings beside the host's own (REDIS_URL, …). */
  settings?: Record<string, string>;
  graphql?: boolean;
  gateway?: boolean;
  /** The gateway's options (socket.io's server options among them). */
  gatewayOptions?: GatewayOptions;
  microservice?: boolean;
  fastify?: boolean;
  /**
   * Gatehouse's global guards on, and no `@UseGuards` on the host's classes: the global guards
   * alone protect them.
   */
  globalGuards?: boolean;
}

/** The root module of a host app with GraphQL, a gateway and message handlers guarded by Gatehouse. */
export function realtimeHost(options: RealtimeHostOptions): Type {
  const kind = options.db?.name ?? 'sqlite';
  const { MeResolver, ChatGateway, JobsController } = handlers(
    !options.globalGuards,
    options.gatewayOptions,
  );
  const schema = gatehouseSchema({ databaseType: kind === 'postgres' ? 'postgres' : undefined });
  const database = options.db
    ? buildDataSourceOptions({
        ...loadDatabaseConfig({ DATABASE_URL: options.db.url }),
        migrationsRun: true,
        logging: false,
      })
    : {
        type: 'better-sqlite3' as const,
        database: ':memory:',
        entities: schema.entities,
        migrations: schema.migrations,
        migrationsRun: true,
      };
  @Module({
    imports: [
      TypeOrmModule.forRoot(database),
      AuthModule.forRoot({
        jwt: { secret: REALTIME_SECRET },
        bcryptCost: 4,
        globalGuards: options.globalGuards ?? false,
        settings: {
          TOKEN_CLEANUP_INTERVAL: '0',
          THROTTLE_DISABLED: '1',
          MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'realtime-outbox-')),
          ...options.settings,
        },
      }),
      ...(options.graphql
        ? [
            GraphQLModule.forRootAsync<ApolloDriverConfig>({
              driver: ApolloDriver,
              inject: [GraphqlWsConnections],
              useFactory: (connections: GraphqlWsConnections) => ({
                autoSchemaFile: true,
                subscriptions: { 'graphql-ws': connections.hooks() },
              }),
            }),
          ]
        : []),
    ],
    controllers: options.microservice ? [JobsController] : [],
    providers: [
      ...(options.graphql ? [MeResolver] : []),
      ...(options.gateway ? [ChatGateway] : []),
    ],
  })
  class RealtimeHostModule {}
  return RealtimeHostModule;
}

/** Compiles and starts such a host on a free port (Express, or Fastify). */
export async function startRealtimeHost(
  options: RealtimeHostOptions,
  prepare?: (app: INestApplication) => void | Promise<void>,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [realtimeHost(options)],
  }).compile();
  const app = options.fastify
    ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] })
    : moduleRef.createNestApplication({ logger: ['error'] });
  await prepare?.(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

export async function urlOf(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** Where a realtime suite runs: SQLite alone, and MariaDB/MySQL with Redis (two instances). */
export const realtimeKinds = (): Array<'sqlite' | 'mysql'> =>
  databaseKinds().filter(
    (kind): kind is 'sqlite' | 'mysql' =>
      kind === 'sqlite' || (kind === 'mysql' && process.env.TEST_REDIS_URL !== undefined),
  );

export interface RealtimePair {
  /** The instance the suite's clients talk to. */
  app: INestApplication;
  /**
   * Where sessions are ended: another instance on the same database and Redis (MariaDB), or the
   * same app (SQLite, one instance).
   */
  peer: INestApplication;
  close(): Promise<void>;
}

/**
 * A host on SQLite, or two instances of it sharing a MariaDB/MySQL database and Redis (one Redis
 * key prefix for both, as one deployment): a revocation on the peer must reach the app.
 */
export async function startRealtimePair(
  kind: 'sqlite' | 'mysql',
  options: RealtimeHostOptions,
  prepare?: (app: INestApplication) => void | Promise<void>,
): Promise<RealtimePair> {
  if (kind === 'sqlite') {
    const app = await startRealtimeHost(options, prepare);
    return { app, peer: app, close: () => app.close() };
  }
  const db = await createTestDatabase(kind);
  const shared: RealtimeHostOptions = {
    ...options,
    db,
    settings: {
      REDIS_URL: process.env.TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: `gh-rt-${randomBytes(6).toString('hex')}:`,
      ...options.settings,
    },
  };
  const app = await startRealtimeHost(shared, prepare);
  const peer = await startRealtimeHost({
    ...shared,
    gateway: false,
    graphql: false,
    microservice: false,
  });
  return {
    app,
    peer,
    close: async () => {
      await app.close();
      await peer.close();
      await db.drop();
    },
  };
}
