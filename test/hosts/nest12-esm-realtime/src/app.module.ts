import { ApolloDriver } from '@nestjs/apollo';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, GraphqlWsConnections, gatehouseSchema } from 'nestjs-gatehouse';
import { ChatGateway } from './chat.gateway.js';
import { JobsController } from './jobs.controller.js';
import { MeResolver } from './me.resolver.js';
import { PingController } from './ping.controller.js';

const gatehouse = gatehouseSchema();

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: process.env.DATABASE_PATH,
      entities: gatehouse.entities,
      migrations: gatehouse.migrations,
      migrationsRun: true,
    }),
    // The global guards on: every route, resolver, gateway and message handler needs a token
    // unless it is @Public().
    AuthModule.forRoot({ jwt: { secret: process.env.JWT_SECRET }, bcryptCost: 4 }),
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [GraphqlWsConnections],
      useFactory: (connections: GraphqlWsConnections) => ({
        autoSchemaFile: true,
        subscriptions: { 'graphql-ws': connections.hooks() },
      }),
    }),
  ],
  controllers: [PingController, JobsController],
  providers: [MeResolver, ChatGateway],
})
export class AppModule {}
