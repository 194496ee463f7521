import type { Locale } from './types.js';

/**
 * Every UI string of the app, in English; the accessible names tests rely on are these. The
 * launcher's own names ("Open chat" / "Close chat") live in the loader, which stays small.
 */
const en = {
  minimize: 'Minimize chat',
  chatTitle: 'Chat',
  messages: 'Messages',
  typeMessage: 'Type a message',
  send: 'Send',
  attach: 'Attach a file',
  removeAttachment: 'Remove {name}',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  retry: 'Retry',
  you: 'You',
  typing: '{name} is typing…',
  someone: 'Someone',
  away: "We're away — leave a message and we'll get back to you.",
  connecting: 'Connecting…',
  offline: 'Offline — your messages will be sent when the connection is back.',
  preChatIntro: 'Tell us who you are before we start.',
  name: 'Name',
  email: 'Email',
  startChat: 'Start chat',
  fileTooLarge: 'The file is too large (max {max}).',
  fileType: 'This file type is not accepted.',
  uploadFailed: 'The file could not be uploaded.',
  sessionFailed: 'The chat is unavailable right now.',
  originRefused: 'Chat is not enabled on this website.',
  download: 'Download {name}',
} as const;

export type StringKey = keyof typeof en;
export type Strings = Record<StringKey, string>;

const zhCN: Strings = {
  minimize: '最小化聊天',
  chatTitle: '聊天',
  messages: '消息',
  typeMessage: '输入消息',
  send: '发送',
  attach: '添加附件',
  removeAttachment: '移除 {name}',
  sending: '发送中…',
  sent: '已发送',
  failed: '发送失败',
  retry: '重试',
  you: '我',
  typing: '{name} 正在输入…',
  someone: '客服',
  away: '我们暂时不在线，请留言，我们会尽快回复。',
  connecting: '连接中…',
  offline: '网络已断开，恢复连接后将自动发送消息。',
  preChatIntro: '开始之前，请告诉我们您是谁。',
  name: '姓名',
  email: '邮箱',
  startChat: '开始聊天',
  fileTooLarge: '文件太大（最大 {max}）。',
  fileType: '不支持此文件类型。',
  uploadFailed: '文件上传失败。',
  sessionFailed: '聊天暂时不可用。',
  originRefused: '此网站未启用聊天。',
  download: '下载 {name}',
};

export const STRINGS: Record<Locale, Strings> = { en, 'zh-CN': zhCN };

/** Maps a BCP 47 tag onto a supported locale, or null ("zh", "zh-Hans-CN" → zh-CN; "en-GB" → en). */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t.startsWith('zh-sg')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/** Where a locale may come from, most specific first. */
export interface LocaleSources {
  /** `Switchboard.setLocale(…)`. */
  explicit?: string | null;
  /** The script tag's `data-locale`. */
  dataLocale?: string | null;
  /** `<html lang>`. */
  htmlLang?: string | null;
  /** `navigator.languages` (or `[navigator.language]`). */
  browser?: readonly string[];
}

/** setLocale → data-locale → `<html lang>` → browser languages → English. */
export function chooseLocale(src: LocaleSources): Locale {
  const candidates = [src.explicit, src.dataLocale, src.htmlLang, ...(src.browser ?? [])];
  for (const c of candidates) {
    const m = matchLocale(c);
    if (m) return m;
  }
  return 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));
}
