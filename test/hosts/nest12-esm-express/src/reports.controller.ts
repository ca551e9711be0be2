import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentUser, JwtAuthGuard } from 'nestjs-gatehouse';
import type { AuthUser } from 'nestjs-gatehouse';

@Controller('reports')
@UseGuards(JwtAuthGuard)
export class ReportsController {
  @Get('mine')
  mine(@CurrentUser() user: AuthUser) {
    return { owner: user.id };
  }
}
