import type { Attachment } from '../core/types.js';
import { useI18n } from './useChat.js';

/** Human file size: "830 B", "12 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const isHttp = (url: string) => /^https?:\/\//i.test(url);

/** Images served by the hub as thumbnails; anything else (or from elsewhere) as a download link. */
export function Attachments({ items, hub }: { items: Attachment[]; hub: string }) {
  const { t } = useI18n();
  if (items.length === 0) return null;
  return (
    <ul class="sb-files">
      {items.map((a) => (
        <li key={a.id}>
          {!isHttp(a.url) ? (
            <span>{a.name}</span>
          ) : a.contentType.startsWith('image/') && a.url.startsWith(hub + '/') ? (
            <a href={a.url} target="_blank" rel="noopener noreferrer nofollow">
              <img class="sb-thumb" src={a.url} alt={a.name} loading="lazy" />
            </a>
          ) : (
            <a class="sb-file" href={a.url} target="_blank" rel="noopener noreferrer nofollow" download={a.name} aria-label={t('download', { name: a.name })}>
              {a.name} <span class="sb-size">({fileSize(a.size)})</span>
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}
