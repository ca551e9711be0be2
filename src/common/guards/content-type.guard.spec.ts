import { ApiConsumes, DECORATORS } from '@nestjs/swagger';
import { MAX_BODY_DEPTH, nestedDeeperThan } from './content-type.guard';

describe('ContentTypeGuard', () => {
  it('reads @ApiConsumes() under the key @nestjs/swagger writes it', () => {
    class Target {
      handler() {}
    }
    ApiConsumes('text/plain')(
      Target.prototype,
      'handler',
      Object.getOwnPropertyDescriptor(Target.prototype, 'handler')!,
    );
    expect(DECORATORS.API_CONSUMES).toBe('swagger/apiConsumes');
    expect(Reflect.getMetadata('swagger/apiConsumes', Target.prototype.handler)).toEqual([
      'text/plain',
    ]);
  });
});

describe('nestedDeeperThan', () => {
  const nest = (levels: number, leaf: unknown = 1): unknown => {
    let value = leaf;
    for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('allows up to the bound, objects and arrays alike, and refuses one level more', () => {
    expect(nestedDeeperThan(nest(32), 4)).toBe(true);
    expect(nestedDeeperThan(nest(32), 32)).toBe(false);
    expect(nestedDeeperThan(nest(33), 32)).toBe(true);
    expect(nestedDeeperThan({ flat: 'x', list: [1, 2, 3], n: null }, 2)).toBe(false);
    expect(nestedDeeperThan(undefined, 0)).toBe(false);
  });

  it('walks a body nested far deeper than the stack could recurse', () => {
    expect(nestedDeeperThan(nest(200_000), MAX_BODY_DEPTH)).toBe(true);
    const wide = { items: Array.from({ length: 10_000 }, () => nest(MAX_BODY_DEPTH - 2)) };
    expect(nestedDeeperThan(wide, MAX_BODY_DEPTH)).toBe(false);
  });
});
