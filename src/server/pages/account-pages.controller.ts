import { Controller, Get, Header, applyDecorators } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../index';
import { AccountPages } from './account-pages.service';

/**
 * The pages' own policy, set per response over the server-wide helmet one (whose style-src allows
 * inline styles, for Swagger UI): the page's script, stylesheet and API calls from this origin,
 * nothing inline, nothing else. `form-action 'none'`: the script sends the forms, and a
 * submission without it (the script blocked or failed) must go nowhere.
 */
const ACCOUNT_PAGES_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Revalidated on each use: a new release's pages and script are never mixed with old ones. */
const AssetResponse = (contentType: string) =>
  applyDecorators(Header('Content-Type', contentType), Header('Cache-Control', 'no-cache'));

const PageResponse = () =>
  applyDecorators(
    AssetResponse('text/html; charset=utf-8'),
    Header('Content-Security-Policy', ACCOUNT_PAGES_CSP),
  );

/**
 * The pages the account mails link to, for a deployment whose APP_URL is this server (the
 * default, http://localhost:PORT): `/verify-email#token=…`, `/reset-password#token=…` and
 * `/forgot-password`. Static HTML and one script, which reads the token from the fragment and
 * calls the API. A host with pages of its own points APP_URL at them instead.
 */
@ApiExcludeController()
@Public()
@Controller()
export class AccountPagesController {
  constructor(private readonly pages: AccountPages) {}

  @Get('verify-email')
  @PageResponse()
  verifyEmail(): string {
    return this.pages.page('verify-email');
  }

  @Get('reset-password')
  @PageResponse()
  resetPassword(): string {
    return this.pages.page('reset-password');
  }

  @Get('forgot-password')
  @PageResponse()
  forgotPassword(): string {
    return this.pages.page('forgot-password');
  }

  /** Passkeys in a real browser: sign in with one, or add and remove them (not linked from mails). */
  @Get('passkeys')
  @PageResponse()
  passkeys(): string {
    return this.pages.page('passkeys');
  }

  @Get('pages/account-pages.js')
  @AssetResponse('text/javascript; charset=utf-8')
  script(): string {
    return this.pages.script;
  }

  @Get('pages/account-pages.css')
  @AssetResponse('text/css; charset=utf-8')
  stylesheet(): string {
    return this.pages.stylesheet;
  }
}
