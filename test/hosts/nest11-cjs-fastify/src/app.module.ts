import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, AuthUser, CurrentUser, JwtAuthGuard, gatehouseSchema } from 'nestjs-gatehouse';

// Gatehouse's own users table here: tables gatehouse_users, gatehouse_tokens…
const gatehouse = gatehouseSchema();

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
      entities: gatehouse.entities,
      migrations: gatehouse.migrations,
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
