import { tokenize } from '../core/linkify.js';

/** Message text as DOM text nodes; only http(s) URLs become (new-tab, no-referrer) links. */
export function MessageText({ text }: { text: string }) {
  if (!text) return null;
  return (
    <p class="sb-text">
      {tokenize(text).map((part, i) =>
        part.kind === 'br' ? (
          <br key={i} />
        ) : part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}
