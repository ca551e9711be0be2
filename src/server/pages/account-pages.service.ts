import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseConfig } from '../../index';

/** The pages the account mails link to, at the paths the mails use under APP_URL, and /passkeys. */
export const ACCOUNT_PAGES = [
  'verify-email',
  'reset-password',
  'forgot-password',
  'passkeys',
] as const;
export type AccountPage = (typeof ACCOUNT_PAGES)[number];

/**
 * Beside this file in src/ and in dist/ alike: nest-cli.json copies the folder into the build, so
 * the server finds its pages wherever it is started from.
 */
export const ASSETS_DIR = join(__dirname, 'assets');

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The account pages' files, read once at boot (a missing file fails the start, not a user's
 * click), with APP_NAME filled in.
 */
@Injectable()
export class AccountPages {
  private readonly pages: Record<AccountPage, string>;
  readonly script = readAsset('account-pages.js');
  readonly stylesheet = readAsset('account-pages.css');

  constructor(config: GatehouseConfig) {
    const appName = escapeHtml(config.get('account', { infer: true }).appName);
    const render = (page: AccountPage) =>
      readAsset(`${page}.html`).replaceAll('{{appName}}', appName);
    this.pages = {
      'verify-email': render('verify-email'),
      'reset-password': render('reset-password'),
      'forgot-password': render('forgot-password'),
      passkeys: render('passkeys'),
    };
  }

  page(name: AccountPage): string {
    return this.pages[name];
  }
}

function readAsset(name: string): string {
  return readFileSync(join(ASSETS_DIR, name), 'utf8');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}
