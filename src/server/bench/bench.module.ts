import { Module } from '@nestjs/common';
import { BenchController } from './bench.controller';

/** Routes the benchmark compares against; see BenchController. */
// UsersService comes from AuthModule, global.
@Module({ controllers: [BenchController] })
export class BenchModule {}
