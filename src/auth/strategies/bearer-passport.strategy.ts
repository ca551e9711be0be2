import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { asError } from '../../common/errors/as-error';

type Done = (error: unknown, user?: unknown) => void;

/**
 * A passport strategy that hands the whole request to its verify callback, which decides: an
 * error refuses the request, a user admits it. The JWT work itself is in TokenSigner, shared with
 * refresh and introspection, so bearer tokens are checked by the same code on every path.
 */
export class BearerPassportStrategy extends Strategy {
  constructor(private readonly verifyRequest: (request: Request, done: Done) => void) {
    super();
  }

  override authenticate(request: Request): void {
    this.verifyRequest(request, (error, user) => {
      if (error) this.error(asError(error));
      else if (user) this.success(user);
      else this.fail(401);
    });
  }
}
