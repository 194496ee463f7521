import type { Request, Response } from 'express';
import busboy from 'busboy';
import { AppError } from '../../errors.js';
import { MODEL_FILE_NAMES, type ModelFiles } from '../model.js';

/** Room for multipart boundaries and part headers on top of the files' own bytes. */
const MULTIPART_OVERHEAD = 64 * 1024;

const allowed: ReadonlySet<string> = new Set(MODEL_FILE_NAMES);

/**
 * Reads a model directory sent as `multipart/form-data`, one file part per file, the field
 * name being the file name (`curl -F model.json=@dir/model.json -F model.onnx=@dir/model.onnx`).
 * More than `maxBytes` of files is `SB_ERR_PAYLOAD_TOO_LARGE`; an unknown, repeated or non-file
 * part is `SB_ERR_VALIDATION`. Whether the files make a model is for the loader to say.
 */
export function readModelUpload(req: Request, res: Response, maxBytes: number): Promise<ModelFiles> {
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    return Promise.reject(new AppError('SB_ERR_VALIDATION', 'Send the model as multipart/form-data, one part per file (model.json, model.onnx, vocab.txt).'));
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new AppError('SB_ERR_PAYLOAD_TOO_LARGE', `The model files may hold at most ${maxBytes} bytes.`);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) {
    // Refused before reading; the connection closes after the answer so the rest is never read.
    res.setHeader('Connection', 'close');
    return Promise.reject(tooLarge());
  }

  return new Promise<ModelFiles>((resolve, reject) => {
    const files = new Map<string, Uint8Array>();
    let total = 0;
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      if (err.code === 'SB_ERR_PAYLOAD_TOO_LARGE') {
        // Not read to its end: the connection closes once the answer is out.
        res.setHeader('Connection', 'close');
      } else {
        // Read (and drop) the rest of the body, so a client still sending gets to read our
        // answer: closing early resets the connection under its write (EPIPE before it sees
        // the 422). Bounded like the upload itself; past that the socket is dropped.
        let drained = 0;
        req.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > maxBytes + MULTIPART_OVERHEAD) req.socket.destroy();
        });
      }
      req.resume();
      reject(err);
    };

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: maxBytes + 1, files: MODEL_FILE_NAMES.length, parts: MODEL_FILE_NAMES.length + 1, fieldNameSize: 100, fieldSize: 1024 },
      });
    } catch (err) {
      reject(new AppError('SB_ERR_BAD_REQUEST', `Malformed multipart request: ${(err as Error).message}`));
      return;
    }

    parser.on('file', (name, stream) => {
      if (!allowed.has(name)) {
        stream.resume();
        return fail(new AppError('SB_ERR_VALIDATION', `Unknown part ${JSON.stringify(name)}; a model upload has the parts ${MODEL_FILE_NAMES.join(', ')}.`));
      }
      if (files.has(name)) {
        stream.resume();
        return fail(new AppError('SB_ERR_VALIDATION', `The part ${name} was sent twice.`));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) return fail(tooLarge());
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (!settled) files.set(name, Buffer.concat(chunks));
      });
    });
    parser.on('field', (name) => {
      fail(
        new AppError(
          'SB_ERR_VALIDATION',
          allowed.has(name)
            ? `The part ${name} must be sent as a file (curl -F ${name}=@path/${name}).`
            : `Unknown part ${JSON.stringify(name)}; a model upload has the parts ${MODEL_FILE_NAMES.join(', ')}.`,
        ),
      );
    });
    parser.on('partsLimit', () => fail(new AppError('SB_ERR_VALIDATION', `A model upload has at most the parts ${MODEL_FILE_NAMES.join(', ')}.`)));
    parser.on('filesLimit', () => fail(new AppError('SB_ERR_VALIDATION', `A model upload has at most the parts ${MODEL_FILE_NAMES.join(', ')}.`)));
    parser.on('error', (err) => fail(new AppError('SB_ERR_BAD_REQUEST', `Malformed multipart request: ${(err as Error).message}`)));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    req.on('error', (err) => fail(new AppError('SB_ERR_BAD_REQUEST', `The upload was interrupted: ${err.message}`)));
    req.pipe(parser);
  });
}
