import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthModule,
  AuthUser,
  CurrentUser,
  GATEHOUSE_ENTITIES,
  GATEHOUSE_MIGRATIONS,
  JwtAuthGuard,
} from 'nestjs-gatehouse';

@Controller('reports')
export class ReportsController {
  @Get('mine')
  @UseGuards(JwtAuthGuard)
  mine(@CurrentUser() user: AuthUser) {
    return { owner: user.id };
  }
}

@Controller('ping')
export class PingController {
  @Get()
  ping() {
    return { ok: true };
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: process.env.DATABASE_PATH,
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
