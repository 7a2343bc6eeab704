// The HTML report renderer and the export writers on hand-made data: every chart present with a
// <title> and a visible heading, numbers appear, user-supplied text escaped, no scripts or
// external resources; exports in the formats other tools (and `pgsflow score`) read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationByDecile } from '../../core/report/calibration.js';
import { esc, fmt, niceTicks } from '../../core/report/charts/svg.js';
import { type WeightRow, metricsTsv, pgsCatalogScoringText, sbayesrcEffectsText, scopeFileName, scoresTsv } from '../../core/report/exports.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import type { FitRow, ReportData } from '../../core/runRecords/reportData.js';
import { renderReport } from '../../core/report/renderReport.js';
import { readWeightFile } from '../../core/score/weights.js';

const EVIL = '<script>alert("x")</script>&\'';

function fit(scope: string, method: string, h2: number, enrichment: number[] = []): FitRow {
  return {
    scope,
    method,
    h2,
    h2Sd: 0.03,
    nnz: method === 'SBayesR' ? 140 : 50,
    nnzSd: 10,
    sigma2e: 1.02,
    pi: [0.95, 0.01, 0.01, 0.01, 0.02],
    cutoff: 0.995,
    cutoffReason: 'given',
    annotations: enrichment.length ? ['Intercept', 'Coding', EVIL] : [],
    enrichment,
    enrichmentSd: null,
    removedSnps: 0,
  };
}

function cvData(): ReportData {
  const metrics: MetricRow[] = [];
  for (const method of ['SBayesRC', 'SBayesR']) {
    for (let k = 1; k <= 3; k++) {
      metrics.push({ scope: `fold-${k}`, method, metric: 'r2', value: 0.4 + k / 100 + (method === 'SBayesR' ? 0.001 : 0), se: null, n: 1000 });
      metrics.push({ scope: `fold-${k}`, method, metric: 'auc', value: 0.7 + k / 100, se: null, n: 1000 });
    }
    metrics.push({ scope: 'folds', method, metric: 'r2', value: 0.4123456, se: 0.0087654, n: 3 });
    metrics.push({ scope: 'folds', method, metric: 'auc', value: 0.72, se: 0.01, n: 3 });
  }
  const qc = [1, 2, 3].flatMap((k) => [
    { scope: `fold-${k}`, gwasSet: `g${k}`, rule: 'invalid_value', removed: 0, remaining: 1000, position: 1 },
    { scope: `fold-${k}`, gwasSet: `g${k}`, rule: 'maf', removed: 33 + k, remaining: 967 - k, position: 2 },
  ]);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const at = (s: number): string => new Date(t0 + s * 1000).toISOString();
  return {
    run: {
      runId: 'cv-1',
      name: `study ${EVIL}`,
      design: 'cross-validation',
      status: 'completed',
      studySha256: 'a'.repeat(64),
      codeVersion: '0.1.0+abc123',
      temporalRunId: 'tr-1',
      resumedFrom: 'cv-0',
      studyPath: '/data/study.json',
      startedAt: at(0),
      finishedAt: at(95),
      durationSeconds: 95,
      studyJson: null,
      summary: null,
    },
    phenotype: { column: 'height', type: 'binary' },
    steps: [
      { stepKey: 'ingest|', step: 'ingest', scope: '', detail: null, attempt: 1, cacheHit: true, startedAt: at(1), finishedAt: at(1), durationSeconds: 0, peakRssBytes: null },
      { stepKey: 'fitSbayesrc|fold-1/SBayesRC', step: 'fitSbayesrc', scope: 'fold-1/SBayesRC', detail: null, attempt: 2, cacheHit: false, startedAt: at(10), finishedAt: at(60), durationSeconds: 50, peakRssBytes: null },
    ],
    qc,
    fits: [1, 2, 3].flatMap((k) => [fit(`fold-${k}/SBayesRC`, 'SBayesRC', 0.45 + k / 100, [1, 8 + k, 2]), fit(`fold-${k}/SBayesR`, 'SBayesR', 0.46)]),
    metrics,
    calibration: [calibrationByDecile('SBayesRC', [{ score: Array.from({ length: 100 }, (_, i) => i), y: Array.from({ length: 100 }, (_, i) => (i > 50 ? 1 : 0)) }])],
    calibrationNote: null,
    weighting: null,
    generatedAt: at(100),
  };
}

describe('report renderer', () => {
  const html = renderReport(cvData());

  it('is one self-contained document without scripts or external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('shows a fit\'s data warnings in the fits section, escaped, and nothing when there are none', () => {
    const d = cvData();
    expect(renderReport(d)).not.toContain('fit-warnings');
    d.fits[0] = { ...d.fits[0]!, warnings: [`GWAS N (median 300) is below the 734 LD eigen-pairs kept ${EVIL}`] };
    const html = renderReport(d);
    const section = html.slice(html.indexOf('<section id="fits">'), html.indexOf('</section>', html.indexOf('<section id="fits">')));
    expect(section).toContain('fit-warnings');
    expect(section).toContain('GWAS N (median 300) is below the 734 LD eigen-pairs kept');
    expect(html).not.toContain(EVIL);
  });

  it('escapes every user-supplied name', () => {
    expect(html).not.toContain(EVIL);
    expect(html).toContain('study &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    // the annotation name, inside the enrichment chart
    expect(html.match(/&lt;script&gt;/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it('has every chart as an <svg> with a <title> under a visible heading', () => {
    const ids = ['chart-qc-funnel', 'chart-folds-r2', 'chart-folds-auc', 'chart-calibration', 'chart-h2', 'chart-nnz', 'chart-enrichment', 'chart-timeline'];
    for (const id of ids) {
      const m = new RegExp(`<figure><h3>[^<]+</h3><svg id="${id}"[^>]*role="img"[^>]*><title id="${id}-title">([^<]+)</title>`).exec(html);
      expect(m, id).not.toBeNull();
    }
    expect(html.match(/<svg /g)!.length).toBe(ids.length);
  });

  it('shows the numbers: provenance, mean ± SE, h², QC counts, enrichment mean over folds', () => {
    expect(html).toContain('a'.repeat(64));
    expect(html).toContain('0.1.0+abc123');
    expect(html).toContain('<code>cv-0</code>');
    expect(html).toContain('95 s');
    expect(html).toContain('0.4123 ± 0.008765');
    expect(html).toContain('>0.46<');
    expect(html).toContain('<td class="num">36</td>');
    expect(html).toMatch(/Coding: 10(\.0+)? \[/); // mean of 9, 10, 11 with an interval across folds
    expect(html).toContain('mean over 3 folds with 95% interval');
    expect(html).toContain('1 of 2 steps recorded only their completion time');
  });

  it('renders a cross-ancestry run: single vs combined test metrics and mixing weights', () => {
    const d = cvData();
    d.run.design = 'cross-ancestry';
    d.metrics = [
      { scope: 'EUR', method: 'SBayesRC', metric: 'r2', value: 0.38, se: null, n: 375 },
      { scope: 'EAS', method: 'SBayesRC', metric: 'r2', value: 0.39, se: null, n: 375 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'r2', value: 0.41, se: null, n: 375 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'weight:EUR', value: 0.32, se: null, n: 375 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'weight:EAS', value: 0.4, se: null, n: 375 },
    ];
    d.fits = [fit('EUR/SBayesRC', 'SBayesRC', 0.48, [1, 8, 2]), fit('EAS/SBayesRC', 'SBayesRC', 0.35, [1, 9, 2])];
    const out = renderReport(d);
    expect(out).toContain('id="chart-ancestry-r2"');
    expect(out).toContain('id="chart-mixing-weights"');
    expect(out).toContain('combined (SBayesRC-multi)');
    expect(out).toContain('n = 375');
    expect(out).toContain('point estimates');
    expect(out).not.toContain('chart-folds-r2');
  });

  it('shows summary-statistics weights with their intervals beside the tuning comparison, and says how they were learnt', () => {
    const d = cvData();
    d.run.design = 'cross-ancestry';
    d.weighting = 'summary';
    d.metrics = [
      { scope: 'EUR', method: 'SBayesRC', metric: 'r2', value: 0.2, se: null, n: 2000 },
      { scope: 'EAS', method: 'SBayesRC', metric: 'r2', value: 0.33, se: null, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'r2', value: 0.342, se: null, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'weight:EUR', value: 0.07, se: 0.02, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi', metric: 'weight:EAS', value: 0.56, se: 0.03, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi-tuning', metric: 'r2', value: 0.342, se: null, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi-tuning', metric: 'weight:EUR', value: 0.06, se: 0.02, n: 2000 },
      { scope: 'combined', method: 'SBayesRC-multi-tuning', metric: 'weight:EAS', value: 0.48, se: 0.02, n: 2000 },
    ];
    const out = renderReport(d);
    const chart = out.slice(out.indexOf('id="chart-mixing-weights"'), out.indexOf('</svg>', out.indexOf('id="chart-mixing-weights"')));
    expect(chart).toContain('summary statistics (pseudo-validation)');
    expect(chart).toContain('tuning samples (comparison)');
    // One 95 % bar per weight: 2 ancestries × 2 ways.
    expect(chart.match(/class="errorbar"/g)).toHaveLength(4);
    expect(out).toContain('GWAS alone: split in silico into training and validation halves');
    expect(out).toContain('combined (SBayesRC-multi-tuning)');
  });

  it('says why a section is empty instead of drawing nothing', () => {
    const d = cvData();
    d.qc = [];
    d.calibration = [];
    d.calibrationNote = 'no held-out scores recorded for this run';
    const out = renderReport(d);
    expect(out).toContain('No QC counts recorded for this run.');
    expect(out).toContain('Calibration not available: no held-out scores recorded for this run.');
  });
});

describe('report helpers', () => {
  it('escapes, formats and picks round ticks', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(fmt(0.123456)).toBe('0.1235');
    expect(fmt(null)).toBe('—');
    expect(niceTicks(0, 0.47, 5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('calibration: deciles within each subgroup, pooled', () => {
    const g = calibrationByDecile('m', [
      { score: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
      { score: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], y: [100, 90, 80, 70, 60, 50, 40, 30, 20, 10] },
    ]);
    expect(g.n).toBe(20);
    expect(g.points.map((p) => p.meanObserved)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(g.points.every((p) => p.n === 2 && p.se === 0)).toBe(true);
  });
});

describe('exports', () => {
  const rows: WeightRow[] = [
    { snp: 'rs1', chrom: '1', pos: 100, a1: 'A', a2: 'G', beta: 0.0123, se: 0.001, pip: 0.9, betaLast: 0.011 },
    { snp: 'rs2', chrom: '2', pos: 200, a1: 'C', a2: 'T', beta: -1.5e-7, se: 0.002, pip: 0.1, betaLast: null },
  ];

  it('writes a PGS Catalog scoring file with its header block, readable by pgsflow score', async () => {
    const text = pgsCatalogScoringText({ name: 'pgsflow_x\nbad', trait: 'height', genomeBuild: 'GRCh37' }, rows);
    const lines = text.split('\n');
    expect(lines).toContain('#pgs_name=pgsflow_x bad');
    expect(lines).toContain('#trait_reported=height');
    expect(lines).toContain('#genome_build=GRCh37');
    expect(lines).toContain('#weight_type=beta');
    expect(lines).toContain('#variants_number=2');
    expect(lines).toContain('rs2\t2\t200\tC\tT\t-1.5e-7');
    const dir = mkdtempSync(join(tmpdir(), 'pgsflow-export-'));
    try {
      writeFileSync(join(dir, 'w.pgs.txt'), text);
      const w = await readWeightFile(join(dir, 'w.pgs.txt'));
      expect(w.format).toBe('pgs-catalog');
      expect(w.id).toEqual(['rs1', 'rs2']);
      expect([...w.weights]).toEqual([0.0123, -1.5e-7]);
      writeFileSync(join(dir, 'w.txt'), sbayesrcEffectsText(rows));
      const s = await readWeightFile(join(dir, 'w.txt'));
      expect(s.id).toEqual(['rs1', 'rs2']);
      expect([...s.weights]).toEqual([0.0123, -1.5e-7]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the SBayesRC effects, scores and metrics tables', () => {
    expect(sbayesrcEffectsText(rows).split('\n').slice(0, 3)).toEqual(['SNP\tA1\tBETA\tSE\tPIP\tBETAlast', 'rs1\tA\t0.0123\t0.001\t0.9\t0.011', 'rs2\tC\t-1.5e-7\t0.002\t0.1\tNA']);
    expect(scoresTsv([{ cohort: 'EUR', fid: 'f\t1', iid: 'i1', scoreName: 'SBayesRC/fold1', score: 0.5, alleleCt: 1998 }])).toBe(
      'cohort\tFID\tIID\tscore_name\tscore\tallele_ct\nEUR\tf 1\ti1\tSBayesRC/fold1\t0.5\t1998\n',
    );
    expect(metricsTsv('r1', [{ scope: 'folds', method: 'SBayesRC', metric: 'r2', value: 0.45, se: null, n: 3 }])).toBe('run_id\tscope\tmethod\tmetric\tvalue\tse\tn\nr1\tfolds\tSBayesRC\tr2\t0.45\tNA\t3\n');
    expect(scopeFileName('fold-3/SBayesRC')).toBe('fold-3_SBayesRC');
    expect(scopeFileName('../x')).toBe('__x');
  });
});
