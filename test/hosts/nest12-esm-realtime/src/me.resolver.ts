import { Field, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, Public, Roles } from 'nestjs-gatehouse';
import type { AuthUser } from 'nestjs-gatehouse';

@ObjectType()
export class Me {
  @Field() id!: string;
  @Field(() => [String]) roles!: string[];
}

async function* ticksFor(id: string): AsyncGenerator<{ ticks: string }> {
  for (;;) {
    yield { ticks: id };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** No @UseGuards: Gatehouse's global guards protect it. */
@Resolver()
export class MeResolver {
  @Query(() => Me)
  me(@CurrentUser() user: AuthUser): Me {
    return { id: user.id, roles: user.roles };
  }

  @Roles('admin')
  @Query(() => String)
  adminOnly(): string {
    return 'for admins';
  }

  @Public()
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  @Subscription(() => String)
  ticks(@CurrentUser() user: AuthUser): AsyncIterator<{ ticks: string }> {
    return ticksFor(user.id);
  }
}
