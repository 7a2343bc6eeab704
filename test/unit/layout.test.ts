// The house rules of the source tree (DESIGN §2), checked on every import: client → worker →
// workflows → contracts; activities → core → contracts/config. A newcomer's import that points
// the wrong way fails here, naming the file, the line and the rule.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['client', 'worker', 'workflows', 'activities', 'contracts', 'config', 'core'] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer may import from the project (itself included); packages are checked apart. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  client: ['client', 'worker', 'workflows', 'activities', 'contracts', 'config', 'core'],
  worker: ['worker', 'workflows', 'activities', 'contracts', 'config', 'core'],
  workflows: ['workflows', 'contracts'],
  activities: ['activities', 'core', 'contracts', 'config'],
  contracts: ['contracts', 'config'],
  config: ['config'],
  core: ['core', 'contracts', 'config'],
};

/** Temporal packages a layer may use: none below the adapters, only the workflow API in workflows. */
const TEMPORAL: Record<Layer, RegExp | null> = {
  client: /^@temporalio\//,
  worker: /^@temporalio\//,
  workflows: /^@temporalio\/workflow$/,
  activities: /^@temporalio\/(activity|client|common)(\/|$)/,
  // Query and signal definitions (defineQuery/defineSignal) are shared by client and workflow.
  contracts: /^@temporalio\/workflow$/,
  config: null,
  core: null,
};

interface ImportSite {
  file: string;
  line: number;
  spec: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|mjs|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g;

function importsOf(file: string): ImportSite[] {
  const text = readFileSync(file, 'utf8');
  const sites: ImportSite[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec === undefined) continue;
    const line = text.slice(0, m.index).split('\n').length;
    sites.push({ file, line, spec, typeOnly: m[2] !== undefined });
  }
  return sites;
}

const layerOf = (path: string): Layer | null => {
  const top = relative(ROOT, path).split('/')[0];
  return (LAYERS as readonly string[]).includes(top ?? '') ? (top as Layer) : null;
};

const files = LAYERS.flatMap((l) => sourceFiles(join(ROOT, l)));
const sites = files.flatMap(importsOf);
const where = (s: ImportSite): string => `${relative(ROOT, s.file)}:${s.line} ${s.spec}`;

describe('source layout', () => {
  it('finds the layers and their imports', () => {
    // A broken scanner would pass every rule below: make sure it sees the tree.
    for (const l of LAYERS) expect(files.some((f) => layerOf(f) === l), l).toBe(true);
    expect(sites.length).toBeGreaterThan(500);
    expect(sites.some((s) => s.typeOnly)).toBe(true);
  });

  it('project imports point down the layers', () => {
    const wrong: string[] = [];
    for (const s of sites) {
      if (!s.spec.startsWith('.')) continue;
      const from = layerOf(s.file)!;
      const to = layerOf(resolve(dirname(s.file), s.spec));
      if (to === null) continue; // native/, package.json, scripts/ entry points
      if (!ALLOWED[from].includes(to)) wrong.push(`${where(s)}: ${from}/ must not import ${to}/`);
    }
    expect(wrong).toEqual([]);
  });

  it('Temporal is imported only by the layers that talk to it', () => {
    const wrong: string[] = [];
    for (const s of sites) {
      if (!s.spec.startsWith('@temporalio/')) continue;
      const rule = TEMPORAL[layerOf(s.file)!];
      if (rule === null || !rule.test(s.spec)) wrong.push(`${where(s)}: not allowed in ${layerOf(s.file)}/`);
    }
    expect(wrong).toEqual([]);
  });

  it('workflow code takes no Node or npm module other than the workflow API', () => {
    const wrong = sites.filter((s) => layerOf(s.file) === 'workflows' && !s.spec.startsWith('.') && s.spec !== '@temporalio/workflow').map(where);
    expect(wrong).toEqual([]);
  });

  it('activities/ holds adapters only: one make*Activities per file, no SQL', () => {
    const wrong: string[] = [];
    for (const f of files.filter((p) => layerOf(p) === 'activities')) {
      const text = readFileSync(f, 'utf8');
      if (/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/.test(text)) wrong.push(`${relative(ROOT, f)}: SQL belongs in core/`);
      if (relative(join(ROOT, 'activities'), f).includes('/')) wrong.push(`${relative(ROOT, f)}: no sub-folders in activities/`);
    }
    expect(wrong).toEqual([]);
  });

  it('each exported type, interface and class is defined once', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^export (?:interface|type|class|abstract class) (\w+)/gm)) {
        const at = `${relative(ROOT, f)}:${text.slice(0, m.index).split('\n').length}`;
        const first = seen.get(m[1]!);
        if (first) twice.push(`${m[1]}: ${first} and ${at}`);
        else seen.set(m[1]!, at);
      }
    }
    expect(twice).toEqual([]);
  });
});
