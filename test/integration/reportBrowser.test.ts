// `pgsflow report` end to end: two real completed studies (3-fold cross-validation with the
// SBayesR baseline, and cross-ancestry EUR+EAS) run by the workflows on the dev server, the report
// and exports written by the bin, then the HTML opened in a real browser (Debian chromium,
// headless, via playwright-core): every plot found with its title, no console errors, no network
// request, no chart cut at its figure's edge nor any label outside its chart, a full-page
// screenshot saved (test temp dir and test-artifacts/report.png).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readWeightFile } from '../../core/score/weights.js';
import { Store } from '../../core/store/store.js';
import { runCli } from '../helpers/cli.js';
import { CV_RUN, MULTI_RUN, makeCompletedStudies } from '../helpers/completedStudies.js';
import { makeTmpDir } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let tmp: { dir: string; cleanup: () => void };
let storeDir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  tmp = makeTmpDir('report');
  storeDir = await makeCompletedStudies(tmp.dir, inject('temporalCli'));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  tmp?.cleanup();
});

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the report browser test needs Debian's chromium (apt-get install -y chromium; scripts/debianDeps.sh installs it when run as root)`);
  }
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return browser;
}

interface PageCheck {
  charts: { id: string; title: string; heading: string; width: number; height: number; scrolls: boolean; textsOutside: string[] }[];
  errors: string[];
  requests: string[];
  screenshot: string;
}

async function openReport(html: string, shotName: string): Promise<PageCheck> {
  const b = await launch();
  const page = await b.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  const charts = await page.$$eval('svg.chart', (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      const fig = s.closest('figure');
      const heading = fig?.querySelector('h3');
      // Rendered text boxes reaching outside the chart (cut off by the SVG's viewport).
      const textsOutside = [...s.querySelectorAll('text')]
        .map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() }))
        .filter(({ r }) => r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        .map(({ t, r }) => `${t} @ ${Math.round(r.left - box.left)}–${Math.round(r.right - box.left)} of ${Math.round(box.width)}`);
      return {
        id: s.id,
        title: s.querySelector(':scope > title')?.textContent ?? '',
        heading: heading && heading.getBoundingClientRect().height > 0 ? (heading.textContent ?? '') : '',
        width: box.width,
        height: box.height,
        // a chart wider than its figure is cut at the figure's right edge (a scrollbar)
        scrolls: fig ? fig.scrollWidth > fig.clientWidth : false,
        textsOutside,
      };
    }),
  );
  const screenshot = join(tmp.dir, shotName);
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { charts, errors, requests, screenshot };
}

describe('pgsflow report', () => {
  it('writes the cross-validation report and exports; the browser shows every plot with its title', async () => {
    const html = join(tmp.dir, 'cv-report.html');
    const exportsDir = join(tmp.dir, 'cv-exports');
    const r = runCli(['report', CV_RUN, '--store', storeDir, '--out', html, '--exports', exportsDir, '--genome-build', 'GRCh37']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(html);

    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script|\bsrc=|\bhref=/i);
    expect(text).toContain('cv_small');

    const page = await openReport(html, 'report.png');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    const ids = page.charts.map((c) => c.id);
    expect(ids).toEqual(['chart-qc-funnel', 'chart-folds-r2', 'chart-calibration', 'chart-h2', 'chart-nnz', 'chart-enrichment', 'chart-timeline']);
    for (const c of page.charts) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.heading.length, c.id).toBeGreaterThan(2);
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.scrolls, c.id).toBe(false);
      expect(c.textsOutside, c.id).toEqual([]);
    }
    expect(page.charts.find((c) => c.id === 'chart-folds-r2')!.title).toContain('SBayesRC vs SBayesR');
    expect(statSync(page.screenshot).size).toBeGreaterThan(20_000);
    expect([...readFileSync(page.screenshot).subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    mkdirSync(ARTIFACTS, { recursive: true });
    copyFileSync(page.screenshot, join(ARTIFACTS, 'report.png'));

    // Exports: one scoring file and one .txt per fit (3 folds × 2 methods), readable by `pgsflow score`.
    const pgs = join(exportsDir, 'weights', 'fold-2_SBayesRC.pgs.txt');
    const header = readFileSync(pgs, 'utf8').split('\n').filter((l) => l.startsWith('#'));
    expect(header).toEqual(expect.arrayContaining(['#pgs_name=pgsflow_cv_small_fold-2_SBayesRC', '#trait_reported=trait', '#genome_build=GRCh37', '#weight_type=beta']));
    const w = await readWeightFile(pgs);
    expect(header).toContain(`#variants_number=${w.id.length}`);
    const txt = await readWeightFile(join(exportsDir, 'weights', 'fold-2_SBayesRC.txt'));
    expect(txt.id).toEqual(w.id);
    expect([...txt.weights]).toEqual([...w.weights]);
    expect(w.otherAllele?.every((a) => a !== '')).toBe(true);
    for (const k of [1, 2, 3]) for (const m of ['SBayesRC', 'SBayesR']) expect(existsSync(join(exportsDir, 'weights', `fold-${k}_${m}.pgs.txt`))).toBe(true);

    const store = await Store.open(storeDir);
    try {
      const [eff] = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM effects WHERE run_id = $r AND scope = 'fold-2/SBayesRC'`, { r: CV_RUN });
      expect(w.id.length).toBe(Number(eff!.n));
      const [sc] = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM scores WHERE run_id = $r`, { r: CV_RUN });
      expect(readFileSync(join(exportsDir, 'scores.tsv'), 'utf8').trim().split('\n').length).toBe(Number(sc!.n) + 1);
      const metrics = JSON.parse(readFileSync(join(exportsDir, 'metrics.json'), 'utf8')) as { runId: string; metrics: { scope: string; method: string; metric: string; value: number }[] };
      const [mean] = await store.all<{ value: number }>(`SELECT value FROM metrics WHERE run_id = $r AND scope = 'folds' AND method = 'SBayesRC' AND metric = 'r2'`, { r: CV_RUN });
      expect(metrics.runId).toBe(CV_RUN);
      expect(metrics.metrics.find((m) => m.scope === 'folds' && m.method === 'SBayesRC' && m.metric === 'r2')!.value).toBe(mean!.value);
      expect(readFileSync(join(exportsDir, 'metrics.tsv'), 'utf8').trim().split('\n').length).toBe(metrics.metrics.length + 1);
    } finally {
      store.close();
    }
  }, 180_000);

  it('writes the cross-ancestry report: mixing weights and single vs combined test metrics', async () => {
    const html = join(tmp.dir, 'multi-report.html');
    const r = runCli(['report', MULTI_RUN, '--store', storeDir, '--out', html]);
    expect(r.status).toBe(0);
    const page = await openReport(html, 'report-cross-ancestry.png');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual(['chart-qc-funnel', 'chart-ancestry-r2', 'chart-mixing-weights', 'chart-calibration', 'chart-h2', 'chart-nnz', 'chart-enrichment', 'chart-timeline']);
    for (const c of page.charts) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.scrolls, c.id).toBe(false);
      expect(c.textsOutside, c.id).toEqual([]);
    }
    copyFileSync(page.screenshot, join(ARTIFACTS, 'report-cross-ancestry.png'));
  }, 120_000);

  it('refuses clearly (exit 1) while another process holds the store, and names unknown runs', async () => {
    const store = await Store.open(storeDir);
    try {
      const r = runCli(['report', CV_RUN, '--store', storeDir, '--out', join(tmp.dir, 'locked.html')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/held by another process.*TEMPORAL_ADDRESS/s);
      expect(existsSync(join(tmp.dir, 'locked.html'))).toBe(false);
    } finally {
      store.close();
    }
    const missing = runCli(['report', 'no-such-run', '--store', storeDir, '--out', join(tmp.dir, 'missing.html')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`no run 'no-such-run'`);
    expect(runCli(['report', CV_RUN, '--store', storeDir]).status).toBe(2);
  }, 120_000);
});
