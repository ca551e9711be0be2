import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { DomainError, ErrorCode } from '../errors/domain-error';

const ALLOW_UNKNOWN_FIELDS = Symbol('allowUnknownFields');

/**
 * Marks a DTO whose unknown fields are dropped instead of refused. Only for protocols that
 * require it: RFC 6749 §3.2 says a token endpoint MUST ignore unrecognised parameters.
 */
export function AllowUnknownFields(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(ALLOW_UNKNOWN_FIELDS, true, target);
  };
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      prefix ? `${path}: ${message}` : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first key that could pollute prototypes, anywhere in a parsed body. */
function pollutingKey(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (POLLUTING_KEYS.has(key)) return here;
    const nested = pollutingKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Validates every DTO: unknown fields refused, scalars kept scalar (no implicit conversion of
 * objects), errors reported as {@link ErrorCode.ValidationFailed} with one line per problem.
 */
@Injectable()
export class GatehouseValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new DomainError(ErrorCode.ValidationFailed, 'Validation failed', flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // JSON.parse keeps "__proto__" as an own key; refuse it rather than trust every consumer.
    const key = pollutingKey(value);
    if (key) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Validation failed', [
        `property ${key} is not allowed`,
      ]);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }

  protected override validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> | ValidationError[] {
    const lenient = Reflect.getMetadata(ALLOW_UNKNOWN_FIELDS, object.constructor) === true;
    return super.validate(
      object,
      lenient ? { ...validatorOptions, forbidNonWhitelisted: false } : validatorOptions,
    );
  }
}
