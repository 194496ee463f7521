/**
 * The chat app (`app.js`), loaded by the loader on demand. It finds the loader through the
 * hidden hook on `window.Switchboard`, renders the panel into the loader's shadow root and
 * registers the API the loader forwards host-page calls to.
 */
import { render } from 'preact';
import { HOOK, type AppApi, type LoaderHook } from '../bridge.js';
import { WidgetApi, type FetchLike } from '../core/api.js';
import { ChatClient } from '../core/chat.js';
import { chooseLocale } from '../core/i18n.js';
import { SessionStore, browserStorage, sessionKey } from '../core/session.js';
import type { WebSocketLike } from '../core/socket.js';
import type { InboxInfo } from '../core/types.js';
import { addShadowCss } from '../shadow-css.js';
import { Panel } from './Panel.js';
import css from './styles.css?inline';
import { I18nContext, makeI18n } from './useChat.js';

function boot(hook: LoaderHook): void {
  addShadowCss(hook.root, css);

  const client = new ChatClient({
    websiteToken: hook.websiteToken,
    wsBase: hook.hub.replace(/^http/, 'ws'),
    api: new WidgetApi(hook.hub, ((url, init) => fetch(url, init as RequestInit)) as FetchLike),
    store: new SessionStore(browserStorage(), hook.websiteToken),
    // WebSocketLike types its handlers loosely so tests can fake it; the real one fits at runtime.
    openSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    events: {
      ready: () => hook.emit('ready'),
      // A copy: whatever the host page does to it must not reach our log.
      message: (m) => hook.emit('message', JSON.parse(JSON.stringify(m))),
      unread: (n) => hook.emit('unread', n),
    },
  });

  let open = false;
  let explicitLocale: string | null = null;
  const locale = () =>
    chooseLocale({
      explicit: explicitLocale,
      dataLocale: hook.dataLocale,
      htmlLang: document.documentElement.lang,
      browser: navigator.languages?.length ? navigator.languages : [navigator.language],
    });

  const draw = () =>
    render(
      <I18nContext.Provider value={makeI18n(locale())}>
        <Panel client={client} hub={hub} open={open} onClose={() => hook.setOpen(false)} />
      </I18nContext.Provider>,
      hook.mount,
    );
  const hub = hook.hub;

  // The launcher takes the inbox's colour and side as soon as the session tells them.
  let lastInbox: InboxInfo | null = null;
  client.subscribe(() => {
    const inbox = client.getState().inbox;
    if (inbox && inbox !== lastInbox) hook.setTheme(inbox.color, inbox.position);
    lastInbox = inbox;
  });

  const app: AppApi = {
    setOpen(next) {
      open = next;
      if (open) client.start();
      client.setOpen(open);
      draw();
    },
    setUser: (identity) => client.setUser(identity),
    setAttributes: (attrs) => client.setAttributes(attrs),
    setLocale(l) {
      explicitLocale = l;
      draw();
    },
    reset() {
      client.reset();
      // Logged out with the panel open: carry on as a new anonymous visitor.
      if (open) client.start();
    },
  };

  document.addEventListener('visibilitychange', () => client.setPageVisible(document.visibilityState === 'visible'));
  window.addEventListener('online', () => client.nudge());
  window.addEventListener('storage', (e) => {
    if (e.key === null || e.key === sessionKey(hook.websiteToken)) client.storageChanged();
  });

  client.setPageVisible(document.visibilityState !== 'hidden');
  draw();
  hook.register(app);
  client.start();
}

try {
  const sb = (window as unknown as { Switchboard?: Record<symbol, LoaderHook | undefined> }).Switchboard;
  const hook = sb?.[HOOK];
  if (hook) boot(hook);
} catch (err) {
  try {
    console.warn('[switchboard]', err);
  } catch {
    // Nothing to report to.
  }
}
