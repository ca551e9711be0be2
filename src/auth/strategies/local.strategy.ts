import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { GatehouseUser } from '../../users/user-store';
import { AuthService } from '../auth.service';
import { ClientRequest, clientInfoOf } from '../../core/decorators/client-info.decorator';

/** Passport's strategy names are global to the process: this one is Gatehouse's alone. */
export const LOCAL_STRATEGY = 'gatehouse-local';

/** Email + password login; LocalAuthGuard has validated the body's shape before this runs. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, LOCAL_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    // The request too: a failed login is audited with the client's address.
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(req: ClientRequest, email: string, password: string): Promise<GatehouseUser> {
    return this.auth.validateCredentials(email, password, clientInfoOf(req));
  }
}
