import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Where attachment bytes live. Local disk by default; the interface leaves room for S3 & co. */
export interface AttachmentStorage {
  put(key: string, data: Buffer): Promise<void>;
  /** A stream of the stored bytes, or undefined when they are gone. */
  open(key: string): Promise<Readable | undefined>;
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** Files under one directory; keys are our own ids, checked so no key can leave the directory. */
export class DiskAttachmentStorage implements AttachmentStorage {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe attachment key: ${key}`);
    return path.join(this.dir, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a crash never leaves a half file under the final name.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, file);
  }

  async open(key: string): Promise<Readable | undefined> {
    const file = this.file(key);
    try {
      await fs.promises.access(file, fs.constants.R_OK);
    } catch {
      return undefined;
    }
    return fs.createReadStream(file);
  }
}
