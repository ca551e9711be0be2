// The script of the account pages the mails link to (verify-email, reset-password and
// forgot-password) and of the passkeys page, told apart by <body data-page>. A plain script, no framework and nothing
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
   * Calls the API with JSON. Never throws: resolves with `{ ok, status, body }`, where a failure's
   * body is the API's error (`{ statusCode, error, code, message, details? }`) or one worded here.
   * `access`: a bearer token, kept in memory only (the passkeys page).
   */
  async function call(method, path, payload, access) {
    let response;
    const headers = { Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (access) headers.Authorization = `Bearer ${access}`;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
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

  const post = (path, payload) => call('POST', path, payload);

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

  /**
   * Passkeys, with the browser's own WebAuthn JSON methods (PublicKeyCredential.
   * parseCreationOptionsFromJSON, parseRequestOptionsFromJSON, credential.toJSON()): the server's
   * options go in as it sends them, the browser's answer comes out as it takes it. Sign in with a
   * passkey, or with the password (and the second factor) to manage them; the access token lives
   * in this page's memory only.
   */
  async function passkeys() {
    const signedOut = document.getElementById('signed-out');
    const signedIn = document.getElementById('signed-in');
    const passwordForm = document.getElementById('password-form');
    const codeForm = document.getElementById('code-form');
    const mfaPasskey = document.getElementById('mfa-passkey');
    const addForm = document.getElementById('add-form');
    const list = document.getElementById('passkey-list');
    let access = null;
    let mfaToken = null;

    const webauthn = window.PublicKeyCredential;
    /** The browser's WebAuthn JSON methods, or an error the page shows as the browser's refusal. */
    function supported() {
      if (!webauthn || typeof webauthn.parseRequestOptionsFromJSON !== 'function') {
        throw new Error('this browser lacks the WebAuthn JSON methods; sign in with the password');
      }
      return webauthn;
    }
    /** The browser's answer to the server's options; a refusal (cancelled, timed out) throws. */
    const create = async (options) =>
      (
        await navigator.credentials.create({
          publicKey: supported().parseCreationOptionsFromJSON(options),
        })
      ).toJSON();
    const get = async (options) =>
      (
        await navigator.credentials.get({
          publicKey: supported().parseRequestOptionsFromJSON(options),
        })
      ).toJSON();
    /** What the browser said when the person cancelled, or no passkey answered. */
    const browserRefused = (error) => {
      say('error', `The browser made no passkey answer (${error.name}): ${error.message}`);
    };

    function signedOutView() {
      access = null;
      mfaToken = null;
      signedIn.hidden = true;
      signedOut.hidden = false;
      passwordForm.hidden = false;
      codeForm.hidden = true;
    }

    async function signedInView(pair) {
      access = pair.access_token;
      signedOut.hidden = true;
      signedIn.hidden = false;
      passwordForm.reset();
      codeForm.reset();
      const me = await call('GET', 'users/me', undefined, access);
      document.getElementById('who').textContent = me.ok ? `Signed in as ${me.body.email}.` : '';
      await refreshList();
    }

    /**
     * An answer refusing the page's own token (its session ended: removing the passkey that
     * signed it in does that) signs the page out; anything else is shown as the API words it.
     */
    function refusedWith(result) {
      if (result.status === 401 && result.body.code === 'INVALID_TOKEN') {
        signedOutView();
        say('error', 'Your session has ended: sign in again.');
      } else {
        showError(result.body);
      }
    }

    async function refreshList() {
      const result = await call('GET', 'auth/passkeys', undefined, access);
      if (!result.ok) return refusedWith(result);
      renderList(result.body);
    }

    function renderList(passkeys) {
      list.replaceChildren(
        ...passkeys.map((passkey) => {
          const item = element('li', `${passkey.name} `);
          item.dataset.passkeyId = passkey.id;
          const remove = element('button', 'Remove');
          remove.type = 'button';
          remove.addEventListener('click', () => removePasskey(passkey).catch(failed));
          item.append(remove);
          return item;
        }),
      );
      if (passkeys.length === 0) list.replaceChildren(element('li', 'No passkey yet.'));
    }

    /** The current password, if typed: needed once the sign-in is older than REAUTH_MAX_AGE. */
    function proof() {
      const password = addForm.elements.current_password.value;
      return password ? { current_password: password } : {};
    }

    async function removePasskey(passkey) {
      say('working', `Removing ${passkey.name}…`);
      const result = await call('DELETE', `auth/passkeys/${passkey.id}`, proof(), access);
      if (!result.ok) return refusedWith(result);
      say('success', `${passkey.name} is removed; the sessions it signed in have ended.`);
      // This session may have been one of them: then its token is refused, and the page signs out.
      const listed = await call('GET', 'auth/passkeys', undefined, access);
      if (!listed.ok) {
        signedOutView();
        return say('success', `${passkey.name} is removed, and so is this session: sign in again.`);
      }
      renderList(listed.body);
    }

    document.getElementById('passkey-sign-in').addEventListener('click', () =>
      (async () => {
        say('working', 'Waiting for your passkey…');
        const options = await post('auth/passkeys/login/options', {});
        if (!options.ok) return showError(options.body);
        let response;
        try {
          response = await get(options.body);
        } catch (error) {
          return browserRefused(error);
        }
        const result = await post('auth/passkeys/login', { response });
        if (!result.ok) return showError(result.body);
        say('success', 'Signed in with your passkey.');
        await signedInView(result.body);
      })().catch(failed),
    );

    onSubmit(passwordForm, async (form) => {
      say('working', 'Signing in…');
      const result = await post('auth/login', {
        email: form.elements.email.value,
        password: form.elements.password.value,
      });
      if (!result.ok) return showError(result.body);
      if (result.body.mfa_required) {
        mfaToken = result.body.mfa_token;
        passwordForm.hidden = true;
        codeForm.hidden = false;
        mfaPasskey.hidden = !(result.body.mfa_methods ?? []).includes('passkey');
        return say('idle', 'Two-factor is on: the code from your app, or a passkey.');
      }
      say('success', 'Signed in.');
      await signedInView(result.body);
    });

    onSubmit(codeForm, async (form) => {
      // Six digits are the app's code; anything else is one of the recovery codes.
      const typed = form.elements.code.value.replace(/\s+/g, '');
      const factor = /^\d{6}$/.test(typed) ? { code: typed } : { recovery_code: typed };
      const result = await post('auth/2fa/verify', { mfa_token: mfaToken, ...factor });
      if (!result.ok) return showError(result.body);
      say('success', 'Signed in.');
      await signedInView(result.body);
    });

    mfaPasskey.addEventListener('click', () =>
      (async () => {
        const options = await post('auth/2fa/passkey/options', { mfa_token: mfaToken });
        if (!options.ok) return showError(options.body);
        let passkey;
        try {
          passkey = await get(options.body);
        } catch (error) {
          return browserRefused(error);
        }
        const result = await post('auth/2fa/verify', { mfa_token: mfaToken, passkey });
        if (!result.ok) return showError(result.body);
        say('success', 'Signed in with your password and a passkey.');
        await signedInView(result.body);
      })().catch(failed),
    );

    onSubmit(addForm, async (form) => {
      say('working', 'Making a passkey…');
      const options = await call('POST', 'auth/passkeys/registration/options', proof(), access);
      if (!options.ok) return refusedWith(options);
      let response;
      try {
        response = await create(options.body);
      } catch (error) {
        return browserRefused(error);
      }
      const name = form.elements.name.value.trim();
      const result = await call(
        'POST',
        'auth/passkeys/registration',
        name ? { response, name } : { response },
        access,
      );
      if (!result.ok) return refusedWith(result);
      form.reset();
      say('success', `${result.body.name} is added: sign in with it next time.`);
      await refreshList();
    });

    document.getElementById('sign-out').addEventListener('click', () =>
      (async () => {
        const result = await call('POST', 'auth/logout', {}, access);
        signedOutView();
        // Ended already (a 401) is signed out too; anything else is worth saying.
        if (result.ok || result.status === 401) say('success', 'Signed out.');
        else showError(result.body);
      })().catch(failed),
    );

    signedOutView();
  }

  const pages = {
    'verify-email': verifyEmail,
    'reset-password': resetPassword,
    'forgot-password': forgotPassword,
    passkeys,
  };
  const run = pages[document.body.dataset.page];
  if (run) run().catch(failed);
})();
