// Imputation INFO from a summary-statistics file. `readSumstats` does not keep an INFO column,
// so QC reads it here, in a second pass over the file, aligned to the reader's rows (lines it
// folded as identical duplicates are skipped). A file without INFO stops after its header.
import { findColumns, scanTable, toNumber } from '../formats/text.js';
import type { SumstatsTable } from '../formats/types.js';

const INFO_COLUMN = { info: { name: 'INFO', aliases: ['imputation_info', 'info_score'], optional: true } } as const;

/** Thrown from the header handler to end the scan early; never escapes. */
class NoInfoColumn extends Error {}

/** INFO per reader row (NaN for NA or non-numbers), or null when the file has no INFO column. */
export async function readInfoColumn(path: string, table: SumstatsTable): Promise<Float64Array | null> {
  const repeatLines = new Set<number>();
  for (const d of table.duplicates) for (const l of d.lines.slice(1)) repeatLines.add(l);
  const out = new Float64Array(table.snp.length);
  let row = 0;
  try {
    await scanTable(
      path,
      (header) => (header.includes('\t') && table.format === 'gwas-ssf' ? 'tab' : 'whitespace'),
      (header) => {
        const col = findColumns(path, header, INFO_COLUMN).info;
        if (col < 0) throw new NoInfoColumn();
        return (fields, line) => {
          if (repeatLines.has(line)) return;
          if (row < out.length) out[row] = toNumber(fields[col] ?? '');
          row++;
        };
      },
    );
  } catch (e) {
    if (e instanceof NoInfoColumn) return null;
    throw e;
  }
  if (row !== out.length) throw new Error(`${path}: INFO pass saw ${row} rows, the reader ${out.length} (file changed while reading?)`);
  return out;
}
