import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { STUDY_DEFAULTS, parseStudy, studyJsonSchema } from '../../config/study.js';

const inputs = {
  cohorts: [
    { ancestry: 'EUR', bfile: ['geno/EUR'] },
    { ancestry: 'EAS', bfile: ['geno/EAS'] },
  ],
  phenotype: { file: 'pheno.tsv', column: 'trait' },
  ld: { type: 'build', blocks: 'blocks.tsv', reference: { EUR: ['ref/EUR'], EAS: ['ref/EAS'] } },
};
const valid = { name: 'height_cv', seed: 7, inputs, design: { type: 'cross-validation', ancestry: 'EUR' } };

function issueFields(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.field);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('study file schema', () => {
  it('accepts a minimal cross-validation study and fills named defaults', () => {
    const s = parseStudy(valid);
    expect(s.design).toEqual({ type: 'cross-validation', ancestry: 'EUR', folds: STUDY_DEFAULTS.folds });
    expect(s.seed).toBe(7);
  });

  it('accepts a cross-ancestry study', () => {
    const s = parseStudy({ name: 'x', inputs, design: { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS' } });
    expect(s.design).toMatchObject({ tuningFraction: 0.5 });
    expect(s.seed).toBe(STUDY_DEFAULTS.seed);
  });

  it('rejects unknown keys, naming them', () => {
    expect(issueFields(() => parseStudy({ ...valid, sede: 3 }))).toEqual(['(root)']);
    expect(() => parseStudy({ ...valid, sede: 3 })).toThrow(/sede/);
    expect(issueFields(() => parseStudy({ ...valid, design: { ...valid.design, fold: 5 } }))).toEqual(['design']);
  });

  it('names the field of a bad value', () => {
    expect(issueFields(() => parseStudy({ ...valid, design: { ...valid.design, folds: 1 } }))).toEqual(['design.folds']);
    expect(issueFields(() => parseStudy({ ...valid, design: { type: 'loo' } }))).toEqual(['design.type']);
    expect(issueFields(() => parseStudy({ ...valid, seed: 1.5 }))).toEqual(['seed']);
  });

  it('requires a cohort and LD for every ancestry the design names', () => {
    expect(issueFields(() => parseStudy({ ...valid, design: { type: 'cross-validation', ancestry: 'AFR' } }))).toEqual([
      'design.ancestry',
      'design.ancestry',
    ]);
    expect(() => parseStudy({ ...valid, design: { type: 'cross-validation', ancestry: 'AFR' } })).toThrow(/no cohort with ancestry 'AFR'/);
    const noLd = { ...inputs, ld: { type: 'folders', folders: { EUR: 'ld/EUR' } } };
    expect(issueFields(() => parseStudy({ ...valid, inputs: noLd, design: { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS' } }))).toEqual([
      'design.train.1',
    ]);
    expect(issueFields(() => parseStudy({ ...valid, inputs: { ...inputs, phenotype: { file: 'p', column: 'y', prevalence: 0.1 } } }))).toEqual([
      'inputs.phenotype.prevalence',
    ]);
  });

  it('refuses identifiers that could reach SQL or paths unquoted', () => {
    for (const name of ["x'; DROP TABLE runs;--", '../../etc/passwd', '', 'a b', '9lives']) {
      expect(issueFields(() => parseStudy({ ...valid, name }))).toEqual(['name']);
    }
  });

  it('reads -9 in the phenotype file as missing unless the study says it is a value', () => {
    expect(parseStudy(valid).inputs.phenotype.missingMinus9).toBe(true);
    expect(parseStudy({ ...valid, inputs: { ...inputs, phenotype: { ...inputs.phenotype, missingMinus9: false } } }).inputs.phenotype.missingMinus9).toBe(false);
    expect(issueFields(() => parseStudy({ ...valid, inputs: { ...inputs, phenotype: { ...inputs.phenotype, missingMinus9: 'yes' } } }))).toEqual(['inputs.phenotype.missingMinus9']);
    const phenotype = (studyJsonSchema() as { properties: { inputs: { properties: { phenotype: { properties: Record<string, unknown>; required: string[] } } } } }).properties.inputs.properties.phenotype;
    expect(phenotype.properties.missingMinus9).toMatchObject({ type: 'boolean', default: true });
    expect(phenotype.required).not.toContain('missingMinus9');
  });

  it('exports a JSON Schema that lists the design variants', () => {
    const schema = studyJsonSchema();
    const text = JSON.stringify(schema);
    expect(schema.type).toBe('object');
    expect(text).toContain('cross-validation');
    expect(text).toContain('cross-ancestry');
    expect((schema.required as string[]).sort()).toEqual(['design', 'inputs', 'name']);
  });

  it('names every default of the QC, imputation, SBayesRC and execution settings', () => {
    const s = parseStudy(valid);
    expect(s.sbayesrc).toEqual({ iterations: 3000, burnIn: 1000, cutoff: 0.995, chains: 1, threads: 1, checkpointEvery: 100, baseline: false });
    expect(s.impute).toEqual({ enabled: true, cutoff: 0.995 });
    expect(s.execution).toEqual({ concurrency: 2 });
    expect(s.qc.maf).toBe(0.01);
    expect(issueFields(() => parseStudy({ ...valid, sbayesrc: { iterations: 100, burnIn: 100 } }))).toEqual(['sbayesrc.iterations']);
    expect(issueFields(() => parseStudy({ ...valid, qc: { mafx: 0.1 } }))).toEqual(['qc']);
  });

  it('refuses external summary statistics in a cross-validation', () => {
    expect(issueFields(() => parseStudy({ ...valid, inputs: { ...inputs, sumstats: { EUR: 'gwas.ma' } } }))).toEqual(['inputs.sumstats']);
  });

  it('takes the three ways to weight a cross-ancestry combination, and refuses what cannot work', () => {
    const design = { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS' };
    expect(parseStudy({ name: 'x', inputs, design }).design).toMatchObject({ weighting: 'tuning', summaryTrainFraction: 0.5 });
    expect(parseStudy({ name: 'x', inputs, design: { ...design, weighting: 'summary', summaryTrainFraction: 0.7 } }).design).toMatchObject({ weighting: 'summary', summaryTrainFraction: 0.7 });
    expect(parseStudy({ name: 'x', inputs, design: { ...design, weighting: 'fixed', weights: { EUR: 0.3, EAS: 0.7 } } }).design).toMatchObject({ weights: { EUR: 0.3, EAS: 0.7 } });
    // Summary weights learn from the target's own GWAS: the target must train.
    expect(issueFields(() => parseStudy({ name: 'x', inputs, design: { ...design, train: ['EUR'], weighting: 'summary' } }))).toEqual(['design.weighting']);
    expect(issueFields(() => parseStudy({ name: 'x', inputs, design: { ...design, weighting: 'fixed', weights: { EUR: 1 } } }))).toEqual(['design.weights']);
    expect(issueFields(() => parseStudy({ name: 'x', inputs, design: { ...design, weighting: 'fixed' } }))).toEqual(['design.weights']);
    expect(issueFields(() => parseStudy({ name: 'x', inputs, design: { ...design, weights: { EUR: 1, EAS: 1 } } }))).toEqual(['design.weights']);
    expect(issueFields(() => parseStudy({ name: 'x', inputs, design: { ...design, weighting: 'summary', summaryTrainFraction: 1 } }))).toEqual(['design.summaryTrainFraction']);
  });
});
