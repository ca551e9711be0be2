import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { BenchController } from './bench.controller';

/** Routes the benchmark compares against; see BenchController. */
@Module({ imports: [UsersModule], controllers: [BenchController] })
export class BenchModule {}
