/**
 * The private handshake between the loader (`widget.js`) and the lazily loaded app (`app.js`).
 * The loader stores a `LoaderHook` on `window.Switchboard` under this symbol (non-enumerable),
 * so the page gets exactly one global and the app finds the loader without another one.
 */
import type { AttributeValue, VisitorIdentity } from './core/types.js';

export const HOOK = Symbol.for('switchboard.widget.hook');

export type WidgetEvent = 'ready' | 'message' | 'unread';

/** What the loader offers the app. */
export interface LoaderHook {
  /** Hub base URL, e.g. `https://hub.example.com` (no trailing slash). */
  hub: string;
  websiteToken: string;
  /** The script tag's `data-locale`. */
  dataLocale: string | null;
  /** The open shadow root everything renders into. */
  root: ShadowRoot;
  /** Element inside `root` the app renders the panel into. */
  mount: HTMLElement;
  /** The app is up; queued calls are replayed on it. */
  register(app: AppApi): void;
  /** The app asks to open or close (Escape, close button). */
  setOpen(open: boolean): void;
  isOpen(): boolean;
  /** Relays an event to the host page's `Switchboard.on(...)` listeners. */
  emit(event: WidgetEvent, payload?: unknown): void;
  /** Theme and side from the inbox settings, for the launcher. */
  setTheme(color: string | null, position: 'left' | 'right'): void;
}

/** What the app offers the loader. */
export interface AppApi {
  setOpen(open: boolean): void;
  setUser(identity: VisitorIdentity): void;
  setAttributes(attrs: Record<string, AttributeValue>): void;
  setLocale(locale: string): void;
  reset(): void;
}
