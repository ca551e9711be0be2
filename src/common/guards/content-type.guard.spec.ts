import { ApiConsumes, DECORATORS } from '@nestjs/swagger';

describe('ContentTypeGuard', () => {
  it('reads @ApiConsumes() under the key @nestjs/swagger writes it', () => {
    class Target {
      handler() {}
    }
    ApiConsumes('text/plain')(Target.prototype, 'handler', Object.getOwnPropertyDescriptor(Target.prototype, 'handler')!);
    expect(DECORATORS.API_CONSUMES).toBe('swagger/apiConsumes');
    expect(Reflect.getMetadata('swagger/apiConsumes', Target.prototype.handler)).toEqual(['text/plain']);
  });
});
