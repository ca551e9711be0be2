import { Controller, Get, Module, Param, UseGuards } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthModule,
  AuthUser,
  CurrentUser,
  JwtAuthGuard,
  UsersService,
  gatehouseSchema,
} from 'nestjs-gatehouse';

// Gatehouse's own users table here: tables gatehouse_users, gatehouse_tokens…
const gatehouse = gatehouseSchema();

@Controller('reports')
export class ReportsController {
  constructor(private readonly users: UsersService) {}

  /** A route as an application has them: guarded, and reading something (here the account). */
  @Get('mine')
  @UseGuards(JwtAuthGuard)
  async mine(@CurrentUser() user: AuthUser) {
    const account = await this.users.getById(user.sub);
    return { owner: account.id, email: account.email };
  }

  /** Its public twin, the same read without the guard: what `npm run bench` compares it with. */
  @Get('of/:id')
  async of(@Param('id') id: string) {
    const account = await this.users.getById(id);
    return { owner: account.id, email: account.email };
  }

  /** A guarded route that does nothing, and its twin: the guard's own cost, for the bench. */
  @Get('ping')
  @UseGuards(JwtAuthGuard)
  ping(@CurrentUser() user: AuthUser) {
    return { owner: user.id };
  }

  @Get('open')
  open() {
    return { owner: 'anyone' };
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
