/**
 * Which files we accept. The declared type must be on the list, and for binary formats the
 * first bytes must match it: a file that claims to be a PNG but is HTML is refused, so an
 * upload can never be served back as something a browser would run.
 */
const startsWith = (sig: number[], offset = 0) => (b: Buffer) => sig.every((v, i) => b[offset + i] === v);
const ZIP = startsWith([0x50, 0x4b, 0x03, 0x04]);
const anyBytes = () => true;

const ACCEPTED = new Map<string, (b: Buffer) => boolean>(Object.entries({
  'image/png': startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': startsWith([0xff, 0xd8, 0xff]),
  'image/gif': startsWith([0x47, 0x49, 0x46, 0x38]),
  'image/webp': (b) => startsWith([0x52, 0x49, 0x46, 0x46])(b) && startsWith([0x57, 0x45, 0x42, 0x50], 8)(b),
  'application/pdf': startsWith([0x25, 0x50, 0x44, 0x46, 0x2d]),
  'application/zip': ZIP,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ZIP,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ZIP,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ZIP,
  'audio/mpeg': anyBytes,
  'audio/ogg': startsWith([0x4f, 0x67, 0x67, 0x53]),
  'video/mp4': startsWith([0x66, 0x74, 0x79, 0x70], 4),
  'text/plain': anyBytes,
  'text/csv': anyBytes,
}));

/** Types a browser may show inline; everything else is served as a download. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'audio/mpeg', 'audio/ogg', 'video/mp4']);

export const acceptedTypes = (): string[] => [...ACCEPTED.keys()];

/** The media type without parameters, lower-cased (`Text/Plain; charset=utf-8` → `text/plain`). */
export const baseType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

export const acceptedType = (type: string): boolean => ACCEPTED.has(type);

/** True when `data` is an acceptable file of `type`. */
export function acceptable(type: string, data: Buffer): boolean {
  const check = ACCEPTED.get(type);
  return check !== undefined && data.length > 0 && check(data);
}

export const servedInline = (type: string): boolean => INLINE.has(type);

/** A display file name without paths, control characters or quotes; never empty. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // Controls and quotes would break the Content-Disposition header and the UI.
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f"<>]/g, '').trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
