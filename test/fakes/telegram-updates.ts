/**
 * Builders of Bot API `Update` objects, shaped like the examples in the Bot API docs
 * (https://core.telegram.org/bots/api#update). Raw JSON, exactly what Telegram sends.
 */
let nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1_000_000);
let nextMessageId = 1;

export interface TgUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export const user = (id: number, first_name: string, extra: Partial<TgUser> = {}): TgUser => ({ id, is_bot: false, first_name, language_code: 'en', ...extra });
export const privateChat = (u: TgUser) => ({ id: u.id, type: 'private', first_name: u.first_name, ...(u.last_name ? { last_name: u.last_name } : {}), ...(u.username ? { username: u.username } : {}) });
export const groupChat = (id: number, title: string) => ({ id, type: 'group', title, all_members_are_administrators: true });

type Chat = ReturnType<typeof privateChat> | ReturnType<typeof groupChat>;

export function message(from: TgUser, content: Record<string, unknown>, chat: Chat = privateChat(from)) {
  return { message_id: nextMessageId++, from, chat, date: Math.floor(Date.now() / 1000), ...content };
}

export function update(content: Record<string, unknown>, update_id = nextUpdateId++): Record<string, unknown> & { update_id: number } {
  return { update_id, ...content };
}

export const textUpdate = (from: TgUser, text: string, chat?: Chat) => update({ message: message(from, { text }, chat) });

export const photoUpdate = (from: TgUser, fileId: string, size: number, caption?: string) =>
  update({
    message: message(from, {
      photo: [
        { file_id: `${fileId}-thumb`, file_unique_id: 'AQADthumb', file_size: 1200, width: 90, height: 67 },
        { file_id: fileId, file_unique_id: 'AQADfull', file_size: size, width: 800, height: 600 },
      ],
      ...(caption ? { caption } : {}),
    }),
  });
