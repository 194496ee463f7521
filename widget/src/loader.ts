/**
 * The host-page loader (`widget.js`): plain DOM, tiny, and never allowed to break the page.
 * It draws the launcher in an open shadow root, exposes `window.Switchboard`, and loads the
 * chat app (`app.js`) on first open, or early when a returning visitor has a session (so
 * unread counts and `message` events work without opening).
 */
import { HOOK, type AppApi, type LoaderHook, type WidgetEvent } from './bridge.js';
import { chooseLocale } from './core/i18n.js';
import { outboxKey, sessionKey } from './core/session.js';
import type { AttributeValue, VisitorIdentity } from './core/types.js';
import launcherCss from './loader.css?inline';
import { addShadowCss } from './shadow-css.js';

declare const __APP_VERSION__: string;

type Listener = (payload?: unknown) => void;
type QueuedCall = { [K in keyof AppApi]: [K, Parameters<AppApi[K]>] }[keyof AppApi];

/** Launcher names (the app has the full string tables; these few keep the loader small). */
const LABELS = { en: ['Open chat', 'Close chat', 'unread'], 'zh-CN': ['打开聊天', '关闭聊天', '未读'] } as const;
const EVENTS: readonly WidgetEvent[] = ['ready', 'message', 'unread'];
const ICON =
  '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

function safe<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      try {
        console.warn('[switchboard]', err);
      } catch {
        // No console either: stay silent.
      }
      return undefined;
    }
  };
}

function findScript(): HTMLScriptElement | null {
  const cur = document.currentScript;
  if (cur instanceof HTMLScriptElement && cur.dataset['inbox']) return cur;
  return document.querySelector<HTMLScriptElement>('script[data-inbox]');
}

function init(): void {
  const w = window as unknown as { Switchboard?: object };
  if (w.Switchboard && HOOK in w.Switchboard) return; // included twice
  const script = findScript();
  const websiteToken = script?.dataset['inbox'];
  if (!script || !websiteToken) return;
  // The hub is wherever this script came from: `{HUB}/widget.js`.
  const hub = new URL('.', script.src).href.replace(/\/$/, '');
  const dataLocale = script.dataset['locale'] ?? null;

  const listeners: Record<WidgetEvent, Set<Listener>> = { ready: new Set(), message: new Set(), unread: new Set() };
  const queue: QueuedCall[] = [];
  let app: AppApi | null = null;
  let loading = false;
  let open = false;
  let readyFired = false;
  let explicitLocale: string | null = null;

  const host = document.createElement('div');
  host.setAttribute('data-switchboard-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  const frame = document.createElement('div');
  frame.className = 'sb';
  const mount = document.createElement('div');
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'sb-launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.innerHTML = ICON; // a constant: no page or server data ever goes through innerHTML
  const badge = document.createElement('span');
  badge.className = 'sb-badge';
  badge.setAttribute('aria-hidden', 'true');
  const unreadNote = document.createElement('span');
  unreadNote.className = 'sb-sr';
  unreadNote.id = 'sb-unread-note';
  launcher.setAttribute('aria-describedby', unreadNote.id);
  launcher.append(badge);
  frame.append(mount, launcher, unreadNote);
  root.append(frame);
  addShadowCss(root, launcherCss);

  const locale = () =>
    chooseLocale({
      explicit: explicitLocale,
      dataLocale,
      htmlLang: document.documentElement.lang,
      browser: navigator.languages?.length ? navigator.languages : [navigator.language],
    });

  const renderLauncher = () => {
    launcher.setAttribute('aria-label', LABELS[locale()][open ? 1 : 0]);
    launcher.setAttribute('aria-expanded', String(open));
    frame.classList.toggle('sb-open', open);
  };

  const setUnread = (n: number) => {
    badge.textContent = n > 0 ? (n > 99 ? '99+' : String(n)) : '';
    badge.hidden = n <= 0;
    unreadNote.textContent = n > 0 ? `${n} ${LABELS[locale()][2]}` : '';
  };

  const setTheme = (color: string | null, position: 'left' | 'right') => {
    if (color && /^#[0-9a-f]{6}$/i.test(color)) frame.style.setProperty('--sb-color', color);
    frame.classList.toggle('sb-left', position === 'left');
  };

  const loadApp = () => {
    if (app || loading) return;
    loading = true;
    const s = document.createElement('script');
    s.src = `${hub}/widget/app.js?v=${__APP_VERSION__}`;
    s.async = true;
    s.onerror = safe(() => {
      // Nothing to show: back to closed, and the next open tries again.
      loading = false;
      s.remove();
      setOpen(false, false);
    });
    (document.head || document.documentElement).append(s);
  };

  const call = <K extends keyof AppApi>(name: K, ...args: Parameters<AppApi[K]>) => {
    if (app) (app[name] as (...a: Parameters<AppApi[K]>) => void)(...args);
    else queue.push([name, args] as QueuedCall);
  };

  const setOpen = (next: boolean, focusLauncher = true) => {
    if (next === open) return;
    open = next;
    renderLauncher();
    if (open) loadApp();
    if (app) app.setOpen(open);
    // Focus inside a panel that disappears would fall to <body>: give it to the launcher.
    if (!open && (focusLauncher || root.activeElement)) launcher.focus();
  };

  const emit = (event: WidgetEvent, payload?: unknown) => {
    if (event === 'ready') readyFired = true;
    if (event === 'unread') setUnread(Number(payload) || 0);
    for (const fn of listeners[event]) safe(fn)(payload);
  };

  const hook: LoaderHook = {
    hub,
    websiteToken,
    dataLocale,
    root,
    mount,
    register: (a) => {
      app = a;
      loading = false;
      for (const [name, args] of queue.splice(0)) safe(a[name] as (...x: unknown[]) => void)(...args);
      if (open) a.setOpen(true);
    },
    setOpen: (next) => setOpen(next),
    isOpen: () => open,
    emit,
    setTheme,
  };

  const api = {
    open: safe(() => setOpen(true, false)),
    close: safe(() => setOpen(false, false)),
    toggle: safe(() => setOpen(!open, false)),
    setUser: safe((identity: VisitorIdentity) => {
      if (!identity || typeof identity.id !== 'string' || !identity.id) return;
      call('setUser', { ...identity });
      loadApp(); // an identified visitor gets a session right away
    }),
    setAttributes: safe((attrs: Record<string, AttributeValue>) => {
      if (attrs && typeof attrs === 'object') call('setAttributes', { ...attrs });
    }),
    setLocale: safe((l: string) => {
      explicitLocale = String(l);
      renderLauncher();
      call('setLocale', explicitLocale);
    }),
    reset: safe(() => {
      setUnread(0);
      if (app) app.reset();
      else {
        queue.length = 0;
        try {
          localStorage.removeItem(sessionKey(websiteToken));
          localStorage.removeItem(outboxKey(websiteToken));
        } catch {
          // Storage blocked: nothing stored either.
        }
      }
    }),
    on: safe((event: WidgetEvent, fn: Listener) => {
      if (!EVENTS.includes(event) || typeof fn !== 'function') return;
      listeners[event].add(fn);
      // Late subscribers still learn that the widget is ready.
      if (event === 'ready' && readyFired) queueMicrotask(() => listeners.ready.has(fn) && safe(fn)());
    }),
    off: safe((event: WidgetEvent, fn: Listener) => {
      listeners[event]?.delete(fn);
    }),
  };
  Object.defineProperty(api, HOOK, { value: hook, enumerable: false });
  w.Switchboard = api;

  launcher.addEventListener('click', safe(() => setOpen(!open)));
  // Escape anywhere in the widget (panel or launcher) closes the panel and lands on the launcher.
  frame.addEventListener(
    'keydown',
    safe((e: KeyboardEvent) => {
      if (e.key === 'Escape' && open) {
        e.stopPropagation();
        setOpen(false);
      }
    }),
  );
  renderLauncher();
  setUnread(0);

  // A returning visitor: show the stored badge now and load the app in the background.
  let stored: { unread?: number; inbox?: { color?: string | null; position?: 'left' | 'right' } } | null = null;
  try {
    stored = JSON.parse(localStorage.getItem(sessionKey(websiteToken)) || 'null');
  } catch {
    stored = null;
  }
  if (stored) {
    setUnread(stored.unread ?? 0);
    if (stored.inbox) setTheme(stored.inbox.color ?? null, stored.inbox.position ?? 'right');
    setTimeout(safe(loadApp), 0);
  }

  const attach = () => document.body.append(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', safe(attach));
}

safe(init)();
