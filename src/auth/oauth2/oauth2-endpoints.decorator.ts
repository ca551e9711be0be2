import { Controller, UseFilters, UsePipes, applyDecorators } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GatehouseRoute } from '../../common/http/gatehouse-route.decorator';
import { GatehouseValidationPipe } from '../../common/pipes/gatehouse-validation.pipe';
import { OAuth2ExceptionFilter } from './oauth2-exception.filter';

/**
 * What the /oauth2 controllers share: errors answered the RFC 6749 way, input validated here too
 * (so the routes keep their rules in an application without our global pipe), and Gatehouse's
 * request checks. Applied in this order: the request checks' guard is the class's first.
 */
export const OAuth2Endpoints = () =>
  applyDecorators(
    GatehouseRoute({ oauth2: true }),
    Controller('oauth2'),
    UsePipes(GatehouseValidationPipe),
    UseFilters(OAuth2ExceptionFilter),
    ApiTags('oauth2'),
  );
