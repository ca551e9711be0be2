import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { CurrentUser, JwtAuthGuard } from 'nestjs-gatehouse';
import type { AuthUser } from 'nestjs-gatehouse';

@Controller('reports')
@UseGuards(JwtAuthGuard)
@ApiBearerAuth('bearer')
export class ReportsController {
  @Get('mine')
  mine(@CurrentUser() user: AuthUser<string, { name: string }>) {
    return { owner: user.id, type: typeof user.id, name: user.claims.name };
  }
}
