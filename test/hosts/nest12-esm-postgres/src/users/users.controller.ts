import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { User } from './user.entity.js';

/** The application's own route, older than Gatehouse. */
@Controller('users')
export class UsersController {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  @Get(':id')
  async one(@Param('id', ParseUUIDPipe) id: string) {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException();
    return { id: user.id, email: user.email, name: user.fullName };
  }
}
