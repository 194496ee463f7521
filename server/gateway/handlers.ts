import type { ClientFrameType } from '../contract/index.js';
import type { AttachmentService } from '../attachments/service.js';
import type { ConversationService } from '../conversations/service.js';
import type { ClientConnection } from './connection.js';
import type { ParsedFrame } from './frames.js';

const SYNC_PAGE = 500;

export type FrameHandlers = { [T in ClientFrameType]: (c: ClientConnection, frame: ParsedFrame<T>) => Promise<void> };

/** What each client frame does. Validation already happened in the dispatcher. */
export function frameHandlers(svc: ConversationService, files: AttachmentService): FrameHandlers {
  return {
    'message.send': async (c, f) => {
      const actor = c.actor;
      const attachments = await files.forMessage(actor, f.attachments);
      const input = { clientId: f.clientId, conversationId: f.conversationId, body: f.body, private: f.private, attachments, replyToSeq: f.replyToSeq };
      const result = actor.type === 'agent' ? await svc.sendAsAgent(actor, input) : await svc.sendAsContact(actor, input);
      c.send({ type: 'message.ack', clientId: f.clientId, message: result.message });
    },

    sync: async (c, f) => {
      // Hold live messages of this conversation while history streams, so none arrives twice.
      c.beginSync(f.conversationId);
      let covered = f.since;
      try {
        const conversation = await svc.accessible(c.actor, f.conversationId);
        covered = Math.max(covered, conversation.lastSeq);
        let after = f.since;
        for (;;) {
          const page = await svc.page(c.actor, conversation, { after, limit: SYNC_PAGE });
          for (const message of page.messages) c.send({ type: 'message.created', message });
          const last = page.messages[page.messages.length - 1];
          if (last) after = last.seq;
          if (!page.more) break;
        }
        covered = Math.max(covered, after);
      } finally {
        c.endSync(f.conversationId, covered);
      }
      c.send({ type: 'sync.done', conversationId: f.conversationId, lastSeq: covered });
    },

    typing: async (c, f) => svc.typing(c.actor, f.conversationId, f.on),

    read: async (c, f) => svc.read(c.actor, f.conversationId, f.seq),

    ping: async (c) => c.send({ type: 'pong' }),
  };
}
