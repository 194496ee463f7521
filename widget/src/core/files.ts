/**
 * Client-side checks before an upload, mirroring the server's policy so the visitor hears
 * "too large" at once instead of after uploading. The server checks again (and has the final
 * word, including its configured size limit).
 */
export const ACCEPTED_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'audio/mpeg',
  'audio/ogg',
  'video/mp4',
  'text/plain',
  'text/csv',
] as const;

/** The server's default `MAX_ATTACHMENT_BYTES`. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export type FileProblem = 'fileTooLarge' | 'fileType' | null;

/** Why a file cannot be sent, or null when it may be uploaded. */
export function checkFile(file: { type: string; size: number }, maxBytes = MAX_FILE_BYTES): FileProblem {
  const type = file.type.split(';')[0]!.trim().toLowerCase();
  if (!(ACCEPTED_TYPES as readonly string[]).includes(type)) return 'fileType';
  if (file.size <= 0 || file.size > maxBytes) return file.size > maxBytes ? 'fileTooLarge' : 'fileType';
  return null;
}
