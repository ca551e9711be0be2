import { Controller, Get } from '@nestjs/common';
import { Public } from 'nestjs-gatehouse';

@Controller('ping')
export class PingController {
  @Public()
  @Get()
  ping() {
    return { ok: true };
  }
}
