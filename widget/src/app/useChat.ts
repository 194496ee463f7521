import { createContext } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { ChatClient } from '../core/chat.js';
import type { ChatState } from '../core/chat-state.js';
import { STRINGS, format, type StringKey, type Strings } from '../core/i18n.js';
import type { Locale } from '../core/types.js';

/** Re-renders on every chat state change. */
export function useChat(client: ChatClient): ChatState {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => client.subscribe(() => bump(undefined)), [client]);
  return client.getState();
}

export interface I18n {
  locale: Locale;
  t: (key: StringKey, vars?: Record<string, string | number>) => string;
}

export function makeI18n(locale: Locale): I18n {
  const table: Strings = STRINGS[locale];
  return { locale, t: (key, vars) => (vars ? format(table[key], vars) : table[key]) };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = () => useContext(I18nContext);
