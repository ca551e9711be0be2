import { Test } from '@nestjs/testing';
import { readdirSync } from 'node:fs';
import { testAccountConfig, testConfigModule, testAuthConfig } from '../../../test/support/unit';
import { ACCOUNT_PAGES, ASSETS_DIR, AccountPages } from './account-pages.service';

async function pagesFor(appName: string): Promise<AccountPages> {
  const moduleRef = await Test.createTestingModule({
    imports: await testConfigModule(
      testAuthConfig(),
      undefined,
      testAccountConfig({ APP_NAME: appName }),
    ),
    providers: [AccountPages],
  }).compile();
  return moduleRef.get(AccountPages);
}

describe('AccountPages', () => {
  it('fills APP_NAME into every page, HTML-escaped', async () => {
    const pages = await pagesFor(`Tom & Jerry's <Shop>`);
    for (const name of ACCOUNT_PAGES) {
      const html = pages.page(name);
      expect(html).toContain('Tom &amp; Jerry&#39;s &lt;Shop&gt;');
      expect(html).not.toContain('<Shop>');
      expect(html).not.toContain('{{');
      expect(html).toContain(`<body data-page="${name}">`);
    }
  });

  it('links every page to the one script and stylesheet, relative to the page', async () => {
    const pages = await pagesFor('Acme');
    for (const name of ACCOUNT_PAGES) {
      const html = pages.page(name);
      expect(html.match(/<script\b[^>]*>/g)).toEqual([
        '<script src="pages/account-pages.js" defer>',
      ]);
      expect(html.match(/<link\b[^>]*>/g)).toEqual([
        '<link rel="stylesheet" href="pages/account-pages.css" />',
      ]);
    }
    expect(pages.script).toContain('history.replaceState');
    expect(pages.stylesheet).toContain('[hidden]');
  });

  it('has a file for each page and nothing it does not serve', () => {
    expect(readdirSync(ASSETS_DIR).sort()).toEqual(
      ['account-pages.css', 'account-pages.js', ...ACCOUNT_PAGES.map((p) => `${p}.html`)].sort(),
    );
  });
});
