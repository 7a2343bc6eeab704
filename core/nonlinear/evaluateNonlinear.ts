// The nonlinear comparison's metrics into the store: every model's held-out predictions (files
// written by the Python worker, checked against the hashes it returned) judged per fold, paired
// with the linear baselines, in one transaction that replaces the run's earlier rows of these
// methods.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { FOLDS_SCOPE } from '../evaluation/foldMetrics.js';
import { writeMetricRows } from '../evaluation/metricRows.js';
import { decodeNpy } from '../formats/npy.js';
import type { Store } from '../store/store.js';
import { type FoldEvaluations, addPairedDifferences, heldOutMetrics, nonlinearMetricRows } from './nonlinearMetrics.js';
import { type EvaluateNonlinearRequest, type HashedFile, nonlinearMethod } from '../../contracts/nonlinear.js';
import type { MetricRow } from '../../contracts/evaluation.js';

export async function evaluateNonlinearInStore(store: Store, req: EvaluateNonlinearRequest): Promise<{ rows: MetricRow[] }> {
  const evals: FoldEvaluations = new Map();
  const heldOut: number[] = [];
  for (const [k, fold] of req.folds.entries()) {
    for (const { features, fit } of fold) {
      const y = await readVector(join(features.dir, 'y.npy'), features.files);
      const split = await readVector(join(features.dir, 'split.npy'), features.files);
      const rows: number[] = [];
      split.forEach((s, r) => s === 1 && rows.push(r));
      heldOut[k] = rows.length;
      const pick = (x: Float64Array | Int8Array, file: string): Float64Array => {
        if (x.length !== y.length) throw new BadInputError(file, `holds ${x.length} predictions for ${y.length} samples`);
        return Float64Array.from(rows, (r) => x[r]!);
      };
      const yHeld = pick(y, 'y.npy');
      const covariatesOnly = pick(await readVector(fit.covariatesOnly.path, [fit.covariatesOnly]), fit.covariatesOnly.path);
      for (const p of fit.predictions) {
        const method = nonlinearMethod(p.model, features.inputs);
        const folds = evals.get(method) ?? [];
        folds[k] = heldOutMetrics(req.trait, yHeld, pick(await readVector(p.path, [p]), p.path), covariatesOnly);
        evals.set(method, folds);
      }
    }
  }
  addPairedDifferences(req.trait, evals);
  const rows = nonlinearMetricRows(evals, heldOut);
  await writeMetricRows(store, req.runId, rows, ...[...evals.keys()].map((method) => ({ method, scopes: { prefix: 'fold-', exact: [FOLDS_SCOPE] } })));
  return { rows };
}

/** A 1-d .npy file, refused unless its bytes match the hash recorded when it was written. */
async function readVector(path: string, hashed: readonly HashedFile[]): Promise<Float64Array | Int8Array> {
  const bytes = new Uint8Array(await readFile(path));
  const expected = hashed.find((f) => f.path === path)?.sha256;
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (expected !== undefined && expected !== actual) throw new BadInputError(path, `changed since it was written (sha256 ${actual}, recorded ${expected})`);
  const array = decodeNpy(bytes, path);
  if (array.shape.length !== 1) throw new BadInputError(path, `expected a vector, found shape ${array.shape.join('×')}`);
  return array.data;
}
