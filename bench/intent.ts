/**
 * `npx tsx bench/intent.ts [--skip-clinc] [--seed N] [--busy N]`: trains the intent model and
 * measures it through the serving path (`IntentModel`: ONNX, one intra-op thread).
 *
 * - BANKING77: a seeded, stratified 10 % of /work/shared/data/banking77/train.csv is held out.
 * - CLINC150: trained on the 150 in-scope intents of train.json only; a message whose top
 *   probability is below a threshold counts as out-of-scope ("oos"). Thresholds are chosen on
 *   the train side: a model trained on 90 % of the in-scope training rows scores the other 10 %
 *   and oos_train, and two thresholds are kept there: the one with the best accuracy over all
 *   those rows (oos as the 151st label; the one the table leads with) and the one with the best
 *   mean of in-scope accuracy and oos recall (which weighs the rare oos rows far more). The
 *   model trained on all in-scope rows is then scored on val.json (val + oos_val) with each.
 * - Latency: one message per call (`predict`, awaited one after another), the same with a 5 ms
 *   pause before each message (sporadic arrivals: the CPU has gone cold, as in a hub that is
 *   mostly waiting), and batches of 32 (`predictBatch`). `--busy N` runs N busy-loop processes
 *   during the latency measurement (not during training) to show a loaded machine.
 *
 * Prints a table and writes bench/results/<timestamp>-intent.json and latest-intent*.json.
 * The datasets are read in place and never copied into the repository.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { argmax } from '../server/intent/classifier.js';
import { readClincJson, readLabelledCsv, type LabelledTexts } from '../server/intent/dataset.js';
import { featurize } from '../server/intent/featurizer.js';
import { classificationMetrics, quantile } from '../server/intent/metrics.js';
import { IntentModel, writeModelDir } from '../server/intent/model.js';
import { trainIntentModel } from '../server/intent/pipeline.js';
import { machineInfo } from './lib/machine.js';
import { ROOT } from './lib/proc.js';

const DATA = process.env.SB_INTENT_DATA ?? '/work/shared/data';
const OOS = 'oos';
const BATCH = 32;
const SINGLE_ROUNDS = 3;
const BATCH_ROUNDS = 10;
const PACE_MS = 5;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const seed = option('seed', 1);
const busy = option('busy', 0);
const skipClinc = args.includes('--skip-clinc');
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Latency {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const latency = (ms: number[]): Latency => ({ calls: ms.length, p50Ms: round(quantile(ms, 0.5)), p99Ms: round(quantile(ms, 0.99)), maxMs: round(Math.max(...ms)) });

/** Busy CPU ticks of the whole machine (Linux /proc/stat, 1/100 s), or null elsewhere. */
function machineBusyTicks(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + steal!;
  } catch {
    return null;
  }
}

/** Runs `measure` and reports how many cores' worth of CPU other processes used meanwhile. */
async function withLoadReading<T>(measure: () => Promise<T>): Promise<T & { otherProcessesCores: number | null; loadAverage1m: number }> {
  const ticks = machineBusyTicks();
  const own = process.cpuUsage();
  const started = performance.now();
  const result = await measure();
  const seconds = (performance.now() - started) / 1000;
  const ownUsage = process.cpuUsage(own);
  const ownSeconds = (ownUsage.user + ownUsage.system) / 1e6;
  const after = machineBusyTicks();
  const others = ticks === null || after === null ? null : round(Math.max(0, (after - ticks) / 100 - ownSeconds) / seconds, 2);
  return { ...result, otherProcessesCores: others, loadAverage1m: round(os.loadavg()[0]!, 2) };
}

/** Serves `texts` through a saved model: predictions, then single-message and batch latency. */
async function serve(dir: string, texts: readonly string[]) {
  const model = await IntentModel.load(dir);
  const burners = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    for (const text of texts.slice(0, 50)) await model.predict(text); // warm-up
    return await withLoadReading(async () => {
      const predictions: Prediction[] = [];
      const single: number[] = [];
      for (let r = 0; r < SINGLE_ROUNDS; r++) {
        for (const text of texts) {
          const started = performance.now();
          const prediction = await model.predict(text);
          single.push(performance.now() - started);
          if (r === 0) predictions.push(prediction);
        }
      }
      const paced: number[] = [];
      for (const text of texts) {
        await sleep(PACE_MS);
        const started = performance.now();
        await model.predict(text);
        paced.push(performance.now() - started);
      }
      const batches: number[] = [];
      for (let r = 0; r < BATCH_ROUNDS; r++) {
        for (let at = 0; at + BATCH <= texts.length; at += BATCH) {
          const started = performance.now();
          await model.predictBatch(texts.slice(at, at + BATCH));
          batches.push(performance.now() - started);
        }
      }
      const perBatch = latency(batches);
      return {
        predictions,
        singleMessage: latency(single),
        singleMessagePaced: { pauseMs: PACE_MS, ...latency(paced) },
        batch: { size: BATCH, perBatch, perMessageP50Ms: round(perBatch.p50Ms / BATCH), perMessageP99Ms: round(perBatch.p99Ms / BATCH) },
      };
    });
  } finally {
    for (const burner of burners) burner.kill();
    await model.close();
  }
}

/** Trains on `train`, writes the model to a temporary directory, and serves `evaluation` through it. */
async function trainAndServe(name: string, train: LabelledTexts, valSplit: number, heldOut?: LabelledTexts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-intent-${name}-`));
  try {
    log(`${name}: training on ${train.texts.length} rows${valSplit ? ` less a ${valSplit * 100} % validation split` : ''}…`);
    const { trained, otherProcessesCores } = await withLoadReading(async () => ({ trained: trainIntentModel(train, { valSplit, seed }) }));
    writeModelDir(dir, trained.onnx, trained.manifest);
    const evaluation = heldOut ?? trained.validation;
    log(`${name}: serving ${evaluation.texts.length} messages${busy ? ` with ${busy} busy processes` : ''}…`);
    const { predictions, ...served } = await serve(dir, evaluation.texts);
    const training = {
      classes: trained.manifest.labels.length,
      rows: trained.manifest.training.trainRows,
      seconds: round(trained.trainMs / 1000, 1),
      onnxBytes: trained.onnx.length,
      otherProcessesCores,
    };
    return { evaluation, predictions, served, training, tsForwardMetrics: trained.manifest.metrics };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Prediction = { intent: string; confidence: number };

/**
 * Scores at `threshold`: in-scope accuracy (a rejected in-scope message counts as wrong), oos
 * recall and precision, and accuracy over all rows with oos as one more label.
 */
function atThreshold(truth: readonly string[], predicted: readonly Prediction[], threshold: number) {
  let inScope = 0;
  let inScopeCorrect = 0;
  let inScopeRejected = 0;
  let oos = 0;
  let oosCaught = 0;
  let rejected = 0;
  truth.forEach((label, i) => {
    const { intent, confidence } = predicted[i]!;
    const reject = confidence < threshold;
    if (reject) rejected++;
    if (label === OOS) {
      oos++;
      if (reject) oosCaught++;
    } else {
      inScope++;
      if (reject) inScopeRejected++;
      else if (intent === label) inScopeCorrect++;
    }
  });
  return {
    accuracy: truth.length ? (inScopeCorrect + oosCaught) / truth.length : 0,
    inScopeAccuracy: inScope ? inScopeCorrect / inScope : 0,
    inScopeRejected: inScope ? inScopeRejected / inScope : 0,
    oosRecall: oos ? oosCaught / oos : 0,
    oosPrecision: rejected ? oosCaught / rejected : 0,
  };
}

/** How a threshold is chosen on the train side. */
const CRITERIA = {
  /** Accuracy over all held-out rows, oos counted as the 151st label. */
  accuracy: (m: ReturnType<typeof atThreshold>) => m.accuracy,
  /** Mean of in-scope accuracy and oos recall, whatever the mix of rows. */
  balanced: (m: ReturnType<typeof atThreshold>) => (m.inScopeAccuracy + m.oosRecall) / 2,
};
type Criterion = keyof typeof CRITERIA;

/** The threshold (0.00–0.99 in steps of 0.01; the lowest on ties) maximizing `criterion`. */
function chooseThreshold(truth: readonly string[], predicted: readonly Prediction[], criterion: Criterion): number {
  let best = 0;
  let bestScore = -1;
  for (let step = 0; step < 100; step++) {
    const score = CRITERIA[criterion](atThreshold(truth, predicted, step / 100));
    if (score > bestScore + 1e-12) [best, bestScore] = [step / 100, score];
  }
  return best;
}

/** Picks the oos thresholds on CLINC150's train side with a model trained on 90 % of the in-scope rows. */
function clincThresholds(inScope: LabelledTexts, oosTrain: LabelledTexts) {
  log(`clinc150: choosing oos thresholds (training on ${inScope.texts.length} in-scope rows less a 10 % split)…`);
  const trained = trainIntentModel(inScope, { valSplit: 0.1, seed });
  const truth = [...trained.validation.labels, ...oosTrain.labels];
  const predicted = [...trained.validation.texts, ...oosTrain.texts].map((text) => {
    const probs = trained.classifier.probabilities(featurize(text, trained.manifest.featurizer));
    const best = argmax(probs);
    return { intent: trained.manifest.labels[best]!, confidence: probs[best]! };
  });
  const choose = (criterion: Criterion) => {
    const threshold = chooseThreshold(truth, predicted, criterion);
    return { threshold, onTrainSide: roundAll(atThreshold(truth, predicted, threshold)) };
  };
  return { chosenOn: { inScopeRows: trained.validation.texts.length, oosRows: oosTrain.texts.length }, accuracy: choose('accuracy'), balanced: choose('balanced') };
}

const roundAll = <T extends Record<string, number>>(m: T): T => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v)])) as T;

async function runBanking() {
  const served = await trainAndServe('banking77', readLabelledCsv(path.join(DATA, 'banking77/train.csv')), 0.1);
  return {
    training: served.training,
    validation: roundAll(classificationMetrics(served.evaluation.labels, served.predictions.map((p) => p.intent))),
    tsForwardMetrics: served.tsForwardMetrics,
    latency: served.served,
  };
}

async function runClinc() {
  const clinc = path.join(DATA, 'clinc150');
  const inScope = readClincJson(path.join(clinc, 'train.json'), ['train']);
  const { chosenOn, ...chosen } = clincThresholds(inScope, readClincJson(path.join(clinc, 'train.json'), ['oos_train']));
  const val = readClincJson(path.join(clinc, 'val.json'), ['val', 'oos_val']);
  const served = await trainAndServe('clinc150', inScope, 0, val);
  const onVal = (threshold: number) => ({
    ...roundAll(atThreshold(val.labels, served.predictions, threshold)),
    macroF1: round(classificationMetrics(val.labels, served.predictions.map((p) => (p.confidence < threshold ? OOS : p.intent))).macroF1),
  });
  const inScopeRows = val.labels.flatMap((l, i) => (l === OOS ? [] : [i]));
  return {
    training: served.training,
    thresholdsChosenOn: chosenOn,
    val: { inScopeRows: inScopeRows.length, oosRows: val.labels.length - inScopeRows.length },
    inScopeAccuracyWithoutThreshold: round(inScopeRows.filter((i) => served.predictions[i]!.intent === val.labels[i]).length / inScopeRows.length),
    byCriterion: Object.fromEntries(
      (Object.keys(CRITERIA) as Criterion[]).map((criterion) => [criterion, { ...chosen[criterion], onVal: onVal(chosen[criterion].threshold) }]),
    ) as Record<Criterion, (typeof chosen)[Criterion] & { onVal: ReturnType<typeof onVal> }>,
    latency: served.served,
  };
}

const started = Date.now();
const report: Record<string, unknown> = { startedAt: new Date(started).toISOString(), seed, busyProcesses: busy, machine: machineInfo() };
const bankingResult = await runBanking();
report.banking77 = bankingResult;
const clincResult = skipClinc ? undefined : await runClinc();
if (clincResult) report.clinc150 = clincResult;
report.durationSeconds = Math.round((Date.now() - started) / 1000);

// ---- output ----
const dir = path.join(ROOT, 'bench/results');
fs.mkdirSync(dir, { recursive: true });
const stamp = (report.startedAt as string).replace(/[:.]/g, '-');
const json = JSON.stringify(report, null, 2);
fs.writeFileSync(path.join(dir, `${stamp}-intent.json`), json);
// `latest-intent` is the complete run on the shared data the README quotes; other runs get their own name.
const latest = `latest-intent${process.env.SB_INTENT_DATA ? '-custom-data' : ''}${skipClinc ? '-banking77' : ''}${busy ? `-busy${busy}` : ''}`;
fs.writeFileSync(path.join(dir, `${latest}.json`), json);

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (x: number) => `${x.toFixed(3)} ms`;
const rows: string[][] = [];
const latencyRows = (name: string, l: typeof bankingResult.latency) => {
  rows.push([name, 'single message', `p50 ${ms(l.singleMessage.p50Ms)} / p99 ${ms(l.singleMessage.p99Ms)} (${l.singleMessage.calls} calls, max ${ms(l.singleMessage.maxMs)})`]);
  const p = l.singleMessagePaced;
  rows.push([name, `single, ${p.pauseMs} ms apart`, `p50 ${ms(p.p50Ms)} / p99 ${ms(p.p99Ms)} (${p.calls} calls, max ${ms(p.maxMs)})`]);
  rows.push([name, `batch of ${l.batch.size}`, `p50 ${ms(l.batch.perBatch.p50Ms)} / p99 ${ms(l.batch.perBatch.p99Ms)} per batch = ${ms(l.batch.perMessageP50Ms)} / ${ms(l.batch.perMessageP99Ms)} per message (${l.batch.perBatch.calls} batches)`]);
  rows.push([name, 'load meanwhile', `other processes ${l.otherProcessesCores ?? '?'} cores of ${os.cpus().length}, load average ${l.loadAverage1m}${busy ? `, ${busy} busy processes` : ''}`]);
};
const b = bankingResult;
rows.push(['banking77', 'validation', `accuracy ${pct(b.validation.accuracy)}, macro-F1 ${b.validation.macroF1.toFixed(3)} (${b.validation.n} rows)`]);
rows.push(['banking77', 'training', `${b.training.seconds} s (${b.training.rows} rows, ${b.training.classes} classes; other processes ${b.training.otherProcessesCores ?? '?'} cores meanwhile)`]);
latencyRows('banking77', b.latency);
if (clincResult) {
  const c = clincResult;
  rows.push(['clinc150', 'no threshold', `in-scope accuracy ${pct(c.inScopeAccuracyWithoutThreshold)} (${c.val.inScopeRows} val rows; ${c.val.oosRows} oos_val rows; thresholds chosen on ${c.thresholdsChosenOn.inScopeRows} + ${c.thresholdsChosenOn.oosRows} train rows)`]);
  for (const [criterion, r] of Object.entries(c.byCriterion)) {
    const v = r.onVal;
    rows.push([
      'clinc150',
      `threshold ${r.threshold.toFixed(2)} (${criterion})`,
      `in-scope accuracy ${pct(v.inScopeAccuracy)} (${pct(v.inScopeRejected)} rejected), oos recall ${pct(v.oosRecall)}, precision ${pct(v.oosPrecision)}; with oos as a label: accuracy ${pct(v.accuracy)}, macro-F1 ${v.macroF1.toFixed(3)}`,
    ]);
  }
  rows.push(['clinc150', 'training', `${c.training.seconds} s (${c.training.rows} rows, ${c.training.classes} classes; other processes ${c.training.otherProcessesCores ?? '?'} cores meanwhile)`]);
  latencyRows('clinc150', c.latency);
}
const widths = rows.reduce((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [] as number[]);
process.stdout.write(`\nSwitchboard intent bench on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), seed ${seed}, ${report.durationSeconds} s\n`);
for (const r of rows) process.stdout.write(`${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
process.stdout.write(`\nreport: bench/results/${stamp}-intent.json (also ${latest}.json)\n`);
