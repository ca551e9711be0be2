/**
 * Swagger UI plugins for /docs. Nest writes each function's source into the page's init script
 * (a same-origin file, as the CSP wants), where it runs in the browser: so each is
 * self-contained, with no imports and nothing from this module's scope.
 */

// The browser's globals these functions use: the server compiles without the DOM library.
interface PageElement {
  scrollTop: number;
  querySelector(selector: string): PageElement | null;
  focus(options?: { preventScroll?: boolean }): void;
}
declare const document: { querySelector(selector: string): PageElement | null };
declare function requestAnimationFrame(callback: () => void): number;
declare const SwaggerUIBundle: { plugins: { DownloadUrl: (system: unknown) => unknown } };

type Action = (payload: unknown) => unknown;

/** Swagger UI's own default plugin, which passing `plugins` would otherwise drop. */
export function downloadUrl(system: unknown): unknown {
  return SwaggerUIBundle.plugins.DownloadUrl(system);
}

/**
 * Opens the Authorize dialog on its first box, the OAuth2 password flow
 * (applyGatehouseSwagger lists it first). Every box autofocuses its first field, so the browser
 * would scroll the dialog down to the last box's, leaving the password flow out of sight.
 */
export function authorizeDialogOpensOnTop(): unknown {
  return {
    statePlugins: {
      auth: {
        wrapActions: {
          showDefinitions: (original: Action) => (definitions: unknown) => {
            const result = original(definitions);
            if (!definitions) return result;
            let frames = 0;
            // Once the dialog is on the page (its fields focused): back to its top.
            const toTop = () => {
              const dialog = document.querySelector('.modal-ux-content');
              if (!dialog) {
                if (frames++ < 60) requestAnimationFrame(toTop);
                return;
              }
              dialog.scrollTop = 0;
              dialog.querySelector('.auth-container input')?.focus({ preventScroll: true });
            };
            requestAnimationFrame(toTop);
            return result;
          },
        },
      },
    },
  };
}
