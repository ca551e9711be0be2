import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public, UserResponse, UsersService } from '../../index';

/**
 * The public twin of `GET /users/me` for `npm run bench`: the same lookup and the same response,
 * without the guard, so the ratio of the two is the cost of authentication alone. Mounted only
 * with BENCHMARK_ROUTES=1, and never documented.
 */
@ApiExcludeController()
@Public()
@Controller('bench')
export class BenchController {
  constructor(private readonly users: UsersService) {}

  @Get('users/:id')
  async user(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.getById(id));
  }

  /**
   * A full collection, then the process's memory: the memory target compares what is retained,
   * not how much garbage happened to be waiting at the moment of the reading. Needs `--expose-gc`.
   */
  @Post('gc')
  @HttpCode(200)
  collect(): { gc: boolean; rss: number; heapUsed: number } {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    return { gc: gc !== undefined, rss, heapUsed };
  }
}
