import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { AppError } from '../errors.js';

/** Labelled texts, in file order. */
export interface LabelledTexts {
  texts: string[];
  labels: string[];
}

/**
 * Reads a CSV with a header row holding `text` and `label` (or `category`, as in BANKING77).
 * Throws `SB_ERR_VALIDATION` when a column is missing or a row has an empty text or label.
 */
export function readLabelledCsv(file: string): LabelledTexts {
  let rows: Record<string, string>[];
  try {
    rows = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('SB_ERR_NOT_FOUND', `No such file: ${file}`);
    throw new AppError('SB_ERR_VALIDATION', `Cannot parse ${file} as CSV: ${(err as Error).message}`);
  }
  const first = rows[0];
  if (!first) throw new AppError('SB_ERR_VALIDATION', `${file} has no data rows`);
  const labelColumn = 'label' in first ? 'label' : 'category' in first ? 'category' : undefined;
  if (!('text' in first) || !labelColumn) throw new AppError('SB_ERR_VALIDATION', `${file} needs the columns "text" and "label" (or "category")`);
  const texts: string[] = [];
  const labels: string[] = [];
  rows.forEach((row, i) => {
    const text = row.text ?? '';
    const label = row[labelColumn] ?? '';
    if (!text || !label) throw new AppError('SB_ERR_VALIDATION', `${file} row ${i + 2} has an empty text or ${labelColumn}`);
    texts.push(text);
    labels.push(label);
  });
  return { texts, labels };
}

/** Reads the `[text, label]` pairs under `keys` of a CLINC150-style JSON file. */
export function readClincJson(file: string, keys: readonly string[]): LabelledTexts {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, [string, string][]>;
  const texts: string[] = [];
  const labels: string[] = [];
  for (const key of keys) {
    for (const [text, label] of data[key] ?? []) {
      texts.push(text);
      labels.push(label);
    }
  }
  return { texts, labels };
}
