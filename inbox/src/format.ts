import type { Contact, InboxConversation } from './types.js';

/** What to call a contact: name, email, or "Visitor" plus the end of its id. */
export function contactLabel(contact: Contact | undefined, contactId: string): string {
  return contact?.name || contact?.email || `Visitor ${contactId.slice(-4)}`;
}

export const CHANNEL_LABEL: Record<string, string> = { web: 'Web', telegram: 'Telegram', slack: 'Slack', email: 'Email' };

/** "3 min", "2 h", "4 d" since `iso`. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

export function timeOf(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export const conversationTitle = (c: InboxConversation, contact: Contact | undefined) => contactLabel(contact, c.contactId);
