import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors.js';
import { readChainFile, scanChainFile } from '../../../core/formats/chainFile.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('chain');
afterAll(() => tmp.cleanup());
let counter = 0;
function file(content: string | Uint8Array, name = `c${counter++}.chain`): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
}

async function thrown(p: Promise<unknown>): Promise<BadInputError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BadInputError);
  return e as BadInputError;
}

/** Expect a BadInputError at exactly file:line:column whose detail contains `text`. */
async function failsAt(content: string, line: number | undefined, column: number | undefined, text: string): Promise<void> {
  const path = file(content);
  const e = await thrown(readChainFile(path));
  expect(e.file).toBe(path);
  expect(e.line).toBe(line);
  expect(e.column).toBe(column);
  expect(e.detail).toContain(text);
  expect(e.message.startsWith(`${[path, line, column].filter((x) => x !== undefined).join(':')}: `)).toBe(true);
}

// Two chains separated by a blank line, tab-separated blocks, a comment, a minus-strand query,
// an id-less header, CRLF on one line.
const TEXT = [
  '#comment',
  'chain 1000 chr1 1000 + 100 300 chr1 2000 + 500 700 1',
  '50\t10\t30',
  '100\t20\t0',
  '20',
  '',
  'chain 4.5e3 chr2 500 + 10 60 chr2 400 - 100 155 2\r',
  '20 5 10',
  '25',
  '',
  'chain 7 chrX 900 + 0 10 chrX 900 + 5 15',
  '10',
  '',
].join('\n');

describe('readChainFile', () => {
  it('reads headers and blocks, normalising chromosome names', async () => {
    const chains = await readChainFile(file(TEXT));
    expect(chains).toHaveLength(3);
    const [a, b, c] = chains;
    expect({ ...a!, blockT: [...a!.blockT], blockQ: [...a!.blockQ], blockSize: [...a!.blockSize] }).toEqual({
      score: 1000,
      tName: '1',
      tSize: 1000,
      tStart: 100,
      tEnd: 300,
      qName: '1',
      qSize: 2000,
      qStrand: '+',
      qStart: 500,
      qEnd: 700,
      id: 1,
      line: 2,
      blockT: [100, 160, 280],
      blockQ: [500, 580, 680],
      blockSize: [50, 100, 20],
    });
    expect(b!.score).toBe(4500);
    expect(b!.qStrand).toBe('-');
    expect(b!.line).toBe(7);
    expect([...b!.blockT]).toEqual([10, 35]);
    expect([...b!.blockQ]).toEqual([100, 130]);
    expect([...b!.blockSize]).toEqual([20, 25]);
    expect(c!.tName).toBe('X');
    expect(c!.id).toBeNull();
    expect(c!.line).toBe(11);
  });

  it('reads gzip the same and streams chain by chain', async () => {
    const plain = await readChainFile(file(TEXT));
    const gz = await readChainFile(file(gzipSync(TEXT), 'c.chain.gz'));
    expect(gz).toEqual(plain);
    const seen: string[] = [];
    const summary = await scanChainFile(file(TEXT), (ch) => seen.push(`${ch.tName}>${ch.qName}${ch.qStrand}`));
    expect(summary).toEqual({ chains: 3, blocks: 6 });
    expect(seen).toEqual(['1>1+', '2>2-', 'X>X+']);
  });
});

describe('chain file errors name file:line:column', () => {
  const H = 'chain 1 chr1 1000 + 0 10 chr1 1000 + 0 10 1';
  it('header fields', async () => {
    await failsAt('chain 1 chr1 1000 + 0 10 chr1 1000 + 0\n10\n', 1, 12, "found 11 (missing 'qEnd')");
    await failsAt('chain 1 chr1 1000 + 0 10 chr1 1000 + 0 10 1 x\n10\n', 1, 14, "extra field 'x'");
    await failsAt('chain 1 chr1 big + 0 10 chr1 1000 + 0 10 1\n10\n', 1, 4, "column 'tSize': expected an integer, got 'big'");
    await failsAt('chain x chr1 1000 + 0 10 chr1 1000 + 0 10 1\n10\n', 1, 2, "column 'score': expected a number");
    await failsAt('chain 1 chr1 1000 - 0 10 chr1 1000 + 0 10 1\n10\n', 1, 5, "column 'tStrand': expected '+'");
    await failsAt('chain 1 chr1 1000 + 0 10 chr1 1000 ? 0 10 1\n10\n', 1, 10, "column 'qStrand': expected '+' or '-', got '?'");
    await failsAt('chain 1 chr1 1000 + -1 10 chr1 1000 + 0 10 1\n11\n', 1, 6, "column 'tStart': -1 is outside");
    await failsAt('chain 1 chr1 1000 + 0 1001 chr1 1000 + 0 10 1\n10\n', 1, 7, 'tEnd 1001 is past the end of chr1 (tSize 1000)');
    await failsAt('chain 1 chr1 1000 + 10 10 chr1 1000 + 0 10 1\n10\n', 1, 7, 'tEnd 10 is not after tStart 10');
    await failsAt('chain 1 chr1 1000 + 0 10 chr1 1000 + 5 3 1\n10\n', 1, 12, 'qEnd 3 is not after qStart 5');
    await failsAt('chain 1 chr1 1000 + 0 10 chr1 8 + 0 10 1\n10\n', 1, 12, 'qEnd 10 is past the end of chr1 (qSize 8)');
  });

  it('block lines', async () => {
    await failsAt(`${H}\n4 1\n5\n`, 2, 3, 'found 2');
    await failsAt(`${H}\n4 1 1 1\n5\n`, 2, 4, 'found 4');
    await failsAt(`${H}\n4 -1 1\n5\n`, 2, 2, "column 'dt': -1 is outside");
    await failsAt(`${H}\n4 1 x\n5\n`, 2, 3, "column 'dq': expected an integer, got 'x'");
    await failsAt(`${H}\n0\n`, 2, 1, "column 'size': 0 is outside");
    await failsAt(`${H}\n4 1 1\n4\n`, 3, 1, "the chain's blocks end at target 9, query 9 but its header (line 1) says tEnd 10, qEnd 10");
    await failsAt(`${H}\n4 1 1\n6\n`, 3, 1, 'block of 6 bases at target 5, query 5 runs past the chain\'s end');
  });

  it('structure', async () => {
    await failsAt('10 0 0\n', 1, 1, "expected a chain header ('chain score tName");
    await failsAt(`${H}\n4 0 0\n${H}\n6\n`, 3, 1, 'a new chain starts before the chain of line 1 ended');
    await failsAt(`${H}\n4 0 0\n\n`, 2, undefined, 'the file ends inside the chain of line 1');
    await failsAt('# only a comment\n\n', undefined, undefined, 'no chains in the file');
    const e = await thrown(readChainFile(join(tmp.dir, 'absent.chain')));
    expect(e.detail).toBe('file not found');
  });
});
