// A study's LD reference in any genotype format: the study file accepts `genotypes`-style
// references beside PLINK 1 prefixes, their paths are made absolute, and the study workflow's
// data step fingerprints the right files and asks the panel activity for the right genotypes —
// while a PLINK 1 reference keeps exactly the request and cached-step key it always had.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { type Study, type StudyFileInput, parseStudy } from '../../config/study.js';
import { resolveStudyPaths } from '../../client/study/studyInput.js';
import { prepareStudyData } from '../../workflows/studyData.js';
import type { StepContext } from '../../workflows/stepCache.js';
import type { ComputeActivities, StoreActivities } from '../../contracts/activities.js';
import type { IngestInput, IngestReport } from '../../contracts/ingest.js';
import type { LdPanelRequest, LdPanelSummary } from '../../contracts/ld.js';
import type { InputFingerprint, InputGroup } from '../../contracts/provenance.js';
import type { StartStepInput } from '../../contracts/runs.js';

type Reference = Extract<StudyFileInput['inputs']['ld'], { type: 'build' }>['reference'][string];

function study(reference: Reference): Study {
  return parseStudy({
    name: 'ldref',
    inputs: {
      cohorts: [{ ancestry: 'EUR', bfile: ['geno/EUR'] }],
      phenotype: { file: 'pheno.tsv', column: 'trait' },
      ld: { type: 'build', blocks: 'blocks.tsv', reference: { EUR: reference } },
    },
    design: { type: 'cross-validation', ancestry: 'EUR' },
  });
}

interface Seen {
  groups: InputGroup[];
  requests: LdPanelRequest[];
  starts: StartStepInput[];
  panelNames: string[];
}

/** The data step against recording fakes of the store, the compute queue and the fingerprinter. */
async function prepare(s: Study): Promise<Seen> {
  const seen: Seen = { groups: [], requests: [], starts: [], panelNames: [] };
  const store: Pick<StoreActivities, 'recordStep' | 'startStep' | 'lookupStep' | 'ingest'> = {
    recordStep: async () => undefined,
    startStep: async (i) => void seen.starts.push(i),
    lookupStep: async () => null,
    ingest: async (inputs: IngestInput[]): Promise<IngestReport[]> => {
      for (const i of inputs) if (i.kind === 'ld') seen.panelNames.push(i.name!);
      return inputs.map((i) => ({ kind: i.kind, dataset: i.name!, status: 'ingested', rows: 1, sha256: 'f', notes: [] }));
    },
  };
  const compute: Pick<ComputeActivities, 'buildLdPanel'> = {
    buildLdPanel: async (req) => {
      seen.requests.push(req);
      return {} as LdPanelSummary;
    },
  };
  const ctx: StepContext = { runId: 'run1', codeVersion: 'v1', resumedFrom: undefined, store: store as StoreActivities, hits: { count: 0 } };
  const fingerprint = async (groups: InputGroup[]): Promise<InputFingerprint[]> => {
    seen.groups.push(...groups);
    return groups.map((g) => ({ key: g.key, files: [], sha256: `${g.key.replace(/\W/g, '')}0123456789abcdef` }));
  };
  await prepareStudyData(ctx, compute as ComputeActivities, fingerprint, s, { cohorts: [], panels: ['EUR'] }, '/art');
  return seen;
}

const ldKey = (seen: Seen): string => seen.starts.find((x) => x.step === 'buildLdPanel')!.stepKey;
const refGroup = (seen: Seen): InputGroup => seen.groups.find((g) => g.key === 'ldref:EUR')!;

describe('LD references in a study file', () => {
  it('accepts any genotype format beside PLINK 1 prefixes, with the cohort rules for its options', () => {
    expect(study({ format: 'pgen', path: 'ref/EUR' }).inputs.ld).toMatchObject({ reference: { EUR: { format: 'pgen', path: 'ref/EUR' } } });
    expect(study({ format: 'bgen', path: ['c1.bgen', 'c2.bgen'], sample: 'r.sample', refFirst: false }).inputs.ld.type).toBe('build');
    expect(() => study({ format: 'vcf', path: 'r.vcf.gz', sample: 'r.sample' })).toThrow(ConfigError);
    expect(() => study({ format: 'pgen', path: 'r', dosageField: 'DS' })).toThrow(/dosageField applies to VCF/);
  });

  it('makes reference paths absolute against the study folder', () => {
    const r = resolveStudyPaths(study({ format: 'bgen', path: ['c1.bgen', '/abs/c2.bgen'], sample: 'r.sample' }), '/s');
    expect(r.inputs.ld).toMatchObject({ blocks: '/s/blocks.tsv', reference: { EUR: { format: 'bgen', path: ['/s/c1.bgen', '/abs/c2.bgen'], sample: '/s/r.sample' } } });
    const v = resolveStudyPaths(study({ format: 'vcf', path: 'r.vcf.gz' }), '/s');
    expect(v.inputs.ld).toMatchObject({ reference: { EUR: { path: '/s/r.vcf.gz' } } });
    expect(resolveStudyPaths(study(['ref/EUR']), '/s').inputs.ld).toMatchObject({ reference: { EUR: ['/s/ref/EUR'] } });
  });
});

describe('the study data step with an LD reference', () => {
  const oldKey = 'buildLdPanel|EUR|v1|{"blocks":"ldblocks0123456789abcdef","cutoff":0.995,"reference":"ldrefEUR0123456789abcdef"}';
  const request = { bfiles: ['ref/EUR'], blocks: 'blocks.tsv', outDir: '/art/runs/run1/ld/EUR', cutoff: 0.995 };

  it('PLINK 1 prefixes: the request, key and name they always had', async () => {
    const seen = await prepare(study(['ref/EUR']));
    expect(refGroup(seen)).toEqual({ key: 'ldref:EUR', kind: 'bfile', paths: ['ref/EUR'] });
    expect(seen.requests).toEqual([request]);
    expect(ldKey(seen)).toBe(oldKey);
    expect(seen.panelNames).toEqual(['ld_c9950_EUR_ldrefEldbloc']);
  });

  it("{ format: 'bed' } is the same reference as its prefixes", async () => {
    const seen = await prepare(study({ format: 'bed', path: 'ref/EUR' }));
    expect(seen.requests).toEqual([request]);
    expect(ldKey(seen)).toBe(oldKey);
  });

  it('pgen: the fileset is fingerprinted and read as dosages', async () => {
    const seen = await prepare(study({ format: 'pgen', path: ['ref/chr1', 'ref/chr2'] }));
    expect(refGroup(seen)).toEqual({ key: 'ldref:EUR', kind: 'pfile', paths: ['ref/chr1', 'ref/chr2'] });
    const { bfiles: _, ...rest } = request;
    expect(seen.requests).toEqual([{ ...rest, genotypes: { kind: 'pfile', paths: ['ref/chr1', 'ref/chr2'] } }]);
    expect(ldKey(seen)).toBe(oldKey);
    expect(seen.panelNames).toEqual(['ld_c9950_pgen_EUR_ldrefEldbloc']);
  });

  it('VCF and BGEN: how they are read is in the key and the name; a BGEN .sample is fingerprinted', async () => {
    const vcf = await prepare(study({ format: 'vcf', path: 'r.vcf.gz', dosageField: 'GP' }));
    expect(refGroup(vcf)).toEqual({ key: 'ldref:EUR', kind: 'file', paths: ['r.vcf.gz'] });
    expect(vcf.requests[0]!.genotypes).toEqual({ kind: 'vcf', paths: ['r.vcf.gz'], dosageField: 'GP' });
    expect(ldKey(vcf)).toContain('"read":"[\\"GP\\",null,null]"');
    expect(vcf.panelNames).toEqual(['ld_c9950_vcfGP_EUR_ldrefEldbloc']);

    const bgen = await prepare(study({ format: 'bgen', path: 'r.bgen', sample: 'r.sample', refFirst: false }));
    expect(refGroup(bgen)).toEqual({ key: 'ldref:EUR', kind: 'file', paths: ['r.bgen', 'r.sample'] });
    expect(bgen.requests[0]!.genotypes).toEqual({ kind: 'bgen', paths: ['r.bgen'], sample: 'r.sample', refFirst: false });
    expect(bgen.requests[0]!.bfiles).toBeUndefined();
    expect(ldKey(bgen)).toContain('"read":"[null,\\"r.sample\\",false]"');
    expect(bgen.panelNames).toEqual(['ld_c9950_bgenRL_EUR_ldrefEldbloc']);
  });
});
