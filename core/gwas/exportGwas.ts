// A GWAS set from the store as a COJO .ma file (what QC, impute and SBayesRC on files read).
// Numbers are printed with String(x), the shortest text that parses back to the same double, so
// the file and the store hold identical values. readSumstats refuses a COJO freq or N of NA, so
// a row without one cannot be exported and is an error here rather than a broken file later.
import { createHash } from 'node:crypto';
import { BadInputError } from '../errors.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import type { Store } from '../store/store.js';
import type { ExportGwasRequest, ExportGwasSummary } from '../../contracts/gwas.js';

const HEADER = 'SNP\tA1\tA2\tfreq\tb\tse\tp\tN\n';
const BASE = /^[ACGTacgt]$/;

/** Shortest round-trip decimal; keeps the sign of −0, which String() drops. */
const num = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

type Row = [string, string, string, number | null, number, number, number, number | null];

export async function exportGwasSet(store: Store, req: ExportGwasRequest): Promise<ExportGwasSummary> {
  const where = store.paths.database;
  const parts: string[] = [HEADER];
  let rows = 0;
  await store.forEachBatch<Row>(`SELECT snp, a1, a2, freq, b, se, p, n FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: req.gwasSet }, (batch) => {
    for (const [snp, a1, a2, freq, b, se, p, n] of batch) {
      const bad = (why: string): BadInputError => new BadInputError(where, `GWAS set '${req.gwasSet}', SNP '${snp}': ${why}; cannot write a COJO .ma readSumstats accepts`);
      if (freq === null || !(freq >= 0 && freq <= 1)) throw bad(`freq is ${freq ?? 'NULL'}`);
      if (n === null || !(n > 0 && Number.isFinite(n))) throw bad(`N is ${n ?? 'NULL'}`);
      if (!Number.isFinite(b) || !(se > 0 && Number.isFinite(se)) || !(p >= 0 && p <= 1)) throw bad(`b ${b}, se ${se}, p ${p}`);
      if (!BASE.test(a1) || !BASE.test(a2)) throw bad(`alleles ${a1}/${a2} are not single bases`);
      parts.push(`${snp}\t${a1}\t${a2}\t${num(freq)}\t${num(b)}\t${num(se)}\t${num(p)}\t${num(n)}\n`);
      rows++;
    }
  });
  if (rows === 0) throw new BadInputError(where, `no GWAS set '${req.gwasSet}' in the store`);
  const bytes = Buffer.from(parts.join(''), 'utf8');
  await writeFileAtomic(req.out, bytes);
  return { out: req.out, rows, sha256: createHash('sha256').update(bytes).digest('hex') };
}
