// UCSC chain files (`.chain`, `.over.chain.gz`): the pairwise alignments liftOver maps positions
// with, e.g. hg38ToHg19.over.chain.gz. Each chain is a header line
//   chain score tName tSize tStrand tStart tEnd qName qSize qStrand qStart qEnd [id]
// then data lines `size dt dq` (an ungapped block of `size` bases, then a gap of dt bases on the
// target side and dq on the query side) and a last line holding a single `size`. Chains are
// separated by blank lines; lines starting with '#' are comments. Coordinates are 0-based
// half-open; when qStrand is '-', qStart/qEnd (and the blocks) count on the reverse-complemented
// query sequence, i.e. from its end. The target (source) side is always '+', as liftOver
// assumes. Validation follows the kent reader (src/lib/chain.c): starts ≥ 0, start < end ≤ size,
// and the blocks must end exactly at tEnd and qEnd.
import { BadInputError } from '../errors.js';
import { I32Column, normaliseChrom, ownString, parseInteger, parseNumber, quoteValue, scanLines } from './text.js';

/** One chain: its header and its ungapped blocks (0-based starts, lengths). */
export interface ChainRecord {
  score: number;
  /** Target (source) chromosome, normalised (`chr1` → `1`). */
  tName: string;
  tSize: number;
  tStart: number;
  tEnd: number;
  /** Query (destination) chromosome, normalised. */
  qName: string;
  qSize: number;
  qStrand: '+' | '-';
  /** On the reverse-complemented query when qStrand is '-'. */
  qStart: number;
  qEnd: number;
  /** The header's id; null when the header has none (the 13th field is optional). */
  id: number | null;
  /** 1-based line of the header. */
  line: number;
  /** Block starts on the target side, ascending. */
  blockT: Int32Array;
  /** Block starts on the query side, in qStrand's coordinates, ascending. */
  blockQ: Int32Array;
  blockSize: Int32Array;
}

export interface ChainFileSummary {
  chains: number;
  blocks: number;
}

const HEADER = ['chain', 'score', 'tName', 'tSize', 'tStrand', 'tStart', 'tEnd', 'qName', 'qSize', 'qStrand', 'qStart', 'qEnd', 'id'] as const;
const HEADER_TEXT = `${HEADER.slice(0, 12).join(' ')} [id]`;

interface OpenChain {
  rec: Omit<ChainRecord, 'blockT' | 'blockQ' | 'blockSize'>;
  t: number;
  q: number;
  blockT: I32Column;
  blockQ: I32Column;
  blockSize: I32Column;
}

/**
 * Stream the chains of a chain file (plain or gzip) to `onChain`, one at a time, validated.
 * Structural problems are a `BadInputError` naming file, line and column.
 */
export async function scanChainFile(file: string, onChain: (chain: ChainRecord) => void): Promise<ChainFileSummary> {
  let open: OpenChain | null = null;
  let chains = 0;
  let blocks = 0;
  let lastLine = 0;

  const bad = (detail: string, line: number, column?: number): BadInputError => new BadInputError(file, detail, line, column);

  const startChain = (f: readonly string[], line: number): OpenChain => {
    if (f.length !== 12 && f.length !== 13) {
      const col = f.length > 13 ? 14 : f.length + 1;
      const what = f.length > 13 ? `extra field ${quoteValue(f[13]!)}` : `missing '${HEADER[f.length]}'`;
      throw bad(`chain header: expected 12 or 13 fields (${HEADER_TEXT}), found ${f.length} (${what})`, line, col);
    }
    const int = (k: number, min = 0): number => parseInteger(file, f[k]!, HEADER[k]!, line, k + 1, min);
    const score = parseNumber(file, f[1]!, 'score', line, 2);
    const tSize = int(3, 1);
    if (f[4] !== '+') throw bad(`column 'tStrand': expected '+' (the source side of a chain is always the plus strand), got ${quoteValue(f[4]!)}`, line, 5);
    const tStart = int(5);
    const tEnd = int(6);
    const qSize = int(8, 1);
    const qStrand = f[9];
    if (qStrand !== '+' && qStrand !== '-') throw bad(`column 'qStrand': expected '+' or '-', got ${quoteValue(qStrand!)}`, line, 10);
    const qStart = int(10);
    const qEnd = int(11);
    const id = f.length === 13 ? int(12) : null;
    if (tEnd <= tStart) throw bad(`tEnd ${tEnd} is not after tStart ${tStart}`, line, 7);
    if (tEnd > tSize) throw bad(`tEnd ${tEnd} is past the end of ${f[2]} (tSize ${tSize})`, line, 7);
    if (qEnd <= qStart) throw bad(`qEnd ${qEnd} is not after qStart ${qStart}`, line, 12);
    if (qEnd > qSize) throw bad(`qEnd ${qEnd} is past the end of ${f[7]} (qSize ${qSize})`, line, 12);
    return {
      rec: {
        score,
        tName: ownString(normaliseChrom(f[2]!)),
        tSize,
        tStart,
        tEnd,
        qName: ownString(normaliseChrom(f[7]!)),
        qSize,
        qStrand,
        qStart,
        qEnd,
        id,
        line,
      },
      t: tStart,
      q: qStart,
      blockT: new I32Column(),
      blockQ: new I32Column(),
      blockSize: new I32Column(),
    };
  };

  const addBlock = (c: OpenChain, f: readonly string[], line: number): boolean => {
    if (f.length !== 1 && f.length !== 3) {
      throw bad(`chain block: expected 'size dt dq' (3 fields) or, on the chain's last line, 'size' (1 field); found ${f.length}`, line, f.length > 3 ? 4 : f.length + 1);
    }
    const size = parseInteger(file, f[0]!, 'size', line, 1, 1);
    const { rec } = c;
    if (c.t + size > rec.tEnd || c.q + size > rec.qEnd) {
      throw bad(`block of ${size} bases at target ${c.t}, query ${c.q} runs past the chain's end (tEnd ${rec.tEnd}, qEnd ${rec.qEnd}; header on line ${rec.line})`, line, 1);
    }
    c.blockT.push(c.t);
    c.blockQ.push(c.q);
    c.blockSize.push(size);
    c.t += size;
    c.q += size;
    if (f.length === 1) {
      if (c.t !== rec.tEnd || c.q !== rec.qEnd) {
        throw bad(
          `the chain's blocks end at target ${c.t}, query ${c.q} but its header (line ${rec.line}) says tEnd ${rec.tEnd}, qEnd ${rec.qEnd}`,
          line,
          1,
        );
      }
      return true;
    }
    c.t += parseInteger(file, f[1]!, 'dt', line, 2);
    c.q += parseInteger(file, f[2]!, 'dq', line, 3);
    return false;
  };

  await scanLines(
    file,
    'whitespace',
    (f, line) => {
      lastLine = line;
      const first = f[0]!;
      if (first.charCodeAt(0) === 35) return; // '#': comment
      if (first === 'chain') {
        if (open !== null) {
          throw bad(`a new chain starts before the chain of line ${open.rec.line} ended (its last line must hold a single number, the last block's size)`, line, 1);
        }
        open = startChain(f, line);
        return;
      }
      if (open === null) {
        throw bad(`expected a chain header ('${HEADER_TEXT}'), got ${quoteValue(first)}`, line, 1);
      }
      if (addBlock(open, f, line)) {
        const c: OpenChain = open;
        onChain({ ...c.rec, blockT: c.blockT.finish(), blockQ: c.blockQ.finish(), blockSize: c.blockSize.finish() });
        chains++;
        blocks += c.blockSize.length;
        open = null;
      }
    },
    { blankLines: 'separator' },
  );
  const unfinished = open as OpenChain | null;
  if (unfinished !== null) {
    throw bad(`the file ends inside the chain of line ${unfinished.rec.line} (truncated? its last line must hold a single number, the last block's size)`, lastLine);
  }
  if (chains === 0) throw new BadInputError(file, 'no chains in the file (expected UCSC chain format, e.g. hg38ToHg19.over.chain.gz)');
  return { chains, blocks };
}

/** All chains of a chain file, in file order. */
export async function readChainFile(file: string): Promise<ChainRecord[]> {
  const out: ChainRecord[] = [];
  await scanChainFile(file, (c) => out.push(c));
  return out;
}
