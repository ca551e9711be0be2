import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, GATEHOUSE_ENTITIES, GATEHOUSE_MIGRATIONS } from 'nestjs-gatehouse';
import { PingController } from './ping.controller.js';
import { ReportsController } from './reports.controller.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'mariadb',
      url: process.env.DATABASE_URL,
      entities: [...GATEHOUSE_ENTITIES],
      migrations: [...GATEHOUSE_MIGRATIONS],
      migrationsRun: true,
    }),
    AuthModule.forRoot({
      jwt: { secret: process.env.JWT_SECRET },
      bcryptCost: 4,
      globalGuards: false,
    }),
  ],
  controllers: [ReportsController, PingController],
})
export class AppModule {}
