// The script of the account pages the mails link to: verify-email, reset-password and
// forgot-password, told apart by <body data-page>. A plain script, no framework and nothing
// inline: the pages' Content-Security-Policy runs scripts from this origin only.
//
// A mailed link carries its token in the fragment (#token=…), which browsers never send to a
// server: it stays out of access logs, proxies and Referer headers. The script takes it, removes it
// from the address bar and the history entry, and POSTs it to the API. API paths are relative to
// the page, like the page's own files, so they also work behind a proxy that adds a path prefix.
'use strict';

(function () {
  /** The API's code for a link token that is unknown, used, superseded or expired. */
  const INVALID_LINK = 'INVALID_ONE_TIME_TOKEN';
  const NO_TOKEN =
    'This page has no link token. Open the link from the mail again: the page takes the token ' +
    'out of the address bar once read, so reloading it does not work.';

  const outcome = document.getElementById('outcome');

  /** The link's token, if any, removed from the address bar and the history entry. */
  function takeToken() {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (location.hash) {
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    return token;
  }

  /**
   * POSTs JSON. Never throws: resolves with `{ ok, status, body }`, where a failure's body is the
   * API's error (`{ statusCode, error, code, message, details? }`) or one worded here.
   */
  async function post(path, payload) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
        cache: 'no-store',
      });
    } catch {
      return {
        ok: false,
        status: 0,
        body: { message: 'The server could not be reached. Check your connection and try again.' },
      };
    }
    let body = null;
    try {
      const text = await response.text();
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok && (body === null || typeof body.message !== 'string')) {
      body = { message: `The server answered ${response.status}.` };
    }
    return { ok: response.ok, status: response.status, body };
  }

  function element(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Replaces what the page shows with a state (working, success, error) and its lines. */
  function show(state, ...nodes) {
    outcome.dataset.state = state;
    outcome.replaceChildren(...nodes);
  }

  function say(state, text) {
    show(state, element('p', text));
  }

  /** An error as the API words it: its message, a validation error's details, its code. */
  function showError(body) {
    const nodes = [element('p', body.message)];
    if (Array.isArray(body.details) && body.details.length > 0) {
      const list = element('ul');
      for (const detail of body.details) list.append(element('li', String(detail)));
      nodes.push(list);
    }
    if (typeof body.code === 'string') {
      const line = element('p', 'Error code: ');
      line.append(element('code', body.code));
      nodes.push(line);
    }
    if (typeof body.requestId === 'string') {
      const line = element('p', 'Request id (quote it when asking for help): ');
      line.append(element('code', body.requestId));
      nodes.push(line);
    }
    show('error', ...nodes);
  }

  /** Whether the API refused the link's token itself (rather than, say, the new password). */
  function linkRefused(body) {
    const details = Array.isArray(body.details) ? body.details : [];
    return body.code === INVALID_LINK || details.some((d) => String(d).startsWith('token '));
  }

  function failed(error) {
    say('error', `Something went wrong on this page: ${error.message}`);
  }

  /** Runs `handler` on submit instead of the browser's submission; one at a time. */
  function onSubmit(form, handler) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      if (button.disabled) return;
      button.disabled = true;
      handler(form)
        .catch(failed)
        .finally(() => {
          button.disabled = false;
        });
    });
  }

  /**
   * Runs `start` now, and again for each link opened later in this tab: the address differs from
   * the page's by its fragment only, so the browser does not load the page again.
   */
  function onEveryLink(start) {
    window.addEventListener('hashchange', () => {
      if (new URLSearchParams(location.hash.slice(1)).has('token')) start().catch(failed);
    });
    return start();
  }

  async function verifyEmail() {
    const resend = document.getElementById('resend-form');
    onSubmit(resend, async (form) => {
      say('working', 'Sending…');
      const result = await post('auth/email/resend', { email: form.elements.email.value });
      if (!result.ok) return showError(result.body);
      form.hidden = true;
      say('success', result.body.message);
    });
    await onEveryLink(async () => {
      const token = takeToken();
      if (!token) {
        say('error', NO_TOKEN);
        resend.hidden = false;
        return;
      }
      resend.hidden = true;
      say('working', 'Confirming your email address…');
      const result = await post('auth/email/verify', { token });
      if (result.ok) {
        say('success', 'Your email address is confirmed. You can close this page.');
        return;
      }
      showError(result.body);
      if (linkRefused(result.body)) resend.hidden = false;
    });
  }

  async function resetPassword() {
    const form = document.getElementById('reset-form');
    const newLink = document.getElementById('new-link');
    let token = null;
    onSubmit(form, async () => {
      const password = form.elements.password.value;
      if (password !== form.elements.confirm.value) {
        say('error', 'The two passwords differ: type the same new password twice.');
        return;
      }
      const payload = { token, password };
      if (form.elements.remove_second_factor.checked) payload.remove_second_factor = true;
      say('working', 'Setting your new password…');
      const result = await post('auth/password/reset', payload);
      if (result.ok) {
        form.reset();
        form.hidden = true;
        say(
          'success',
          'Your password is changed and every session of your account has ended. ' +
            'Sign in with the new password.',
        );
        return;
      }
      showError(result.body);
      // A refused link cannot be retried; a refused password (or 2FA choice) can, with the same link.
      if (linkRefused(result.body)) {
        form.hidden = true;
        newLink.hidden = false;
      }
    });
    await onEveryLink(async () => {
      token = takeToken();
      form.reset();
      form.hidden = !token;
      newLink.hidden = Boolean(token);
      if (token) show('idle');
      else say('error', NO_TOKEN);
    });
  }

  async function forgotPassword() {
    const form = document.getElementById('forgot-form');
    form.hidden = false;
    onSubmit(form, async () => {
      say('working', 'Sending…');
      const result = await post('auth/password/forgot', { email: form.elements.email.value });
      if (!result.ok) return showError(result.body);
      form.hidden = true;
      say('success', result.body.message);
    });
  }

  const pages = {
    'verify-email': verifyEmail,
    'reset-password': resetPassword,
    'forgot-password': forgotPassword,
  };
  const run = pages[document.body.dataset.page];
  if (run) run().catch(failed);
})();
