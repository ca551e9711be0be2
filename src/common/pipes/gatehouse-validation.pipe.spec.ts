import { IsOptional, IsString } from 'class-validator';
import { ErrorCode } from '../errors/domain-error';
import { AllowUnknownFields, GatehouseValidationPipe } from './gatehouse-validation.pipe';

class StrictDto {
  @IsString() name!: string;
}

@AllowUnknownFields()
class LenientDto {
  @IsOptional() @IsString() name?: string;
}

describe('GatehouseValidationPipe', () => {
  const pipe = new GatehouseValidationPipe();
  const body = (metatype: new () => object) => ({ type: 'body' as const, metatype });

  it('passes a valid body through as an instance', async () => {
    await expect(pipe.transform({ name: 'x' }, body(StrictDto))).resolves.toBeInstanceOf(StrictDto);
  });

  it('refuses unknown fields with one detail line each', async () => {
    await expect(pipe.transform({ name: 'x', admin: true }, body(StrictDto))).rejects.toMatchObject(
      {
        code: ErrorCode.ValidationFailed,
        details: ['property admin should not exist'],
      },
    );
  });

  it('refuses wrong types and __proto__ payloads', async () => {
    await expect(pipe.transform({ name: 42 }, body(StrictDto))).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
    });
    const polluted = JSON.parse('{"name":"x","__proto__":{"admin":true}}') as object;
    await expect(pipe.transform(polluted, body(StrictDto))).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
    });
  });

  it('drops unknown fields on a DTO marked @AllowUnknownFields()', async () => {
    const result = await pipe.transform({ name: 'x', client_id: 'y' }, body(LenientDto));
    expect(result).toEqual({ name: 'x' });
  });
});
