// The study file: one JSON document that fully describes a study. This is the skeleton
// (name, seed, store, design); inputs, QC and SBayesRC settings are added by later steps.
// Unknown keys are errors so a misspelt setting never silently falls back to a default.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { identifier } from './identifiers.js';

export const STUDY_DEFAULTS = {
  seed: 1,
  folds: 10,
  tuningFraction: 0.5,
} as const;

export const crossValidationDesign = z
  .object({
    type: z.literal('cross-validation'),
    folds: z.number().int().min(2).max(100).default(STUDY_DEFAULTS.folds),
    ancestry: identifier,
  })
  .strict();

export const crossAncestryDesign = z
  .object({
    type: z.literal('cross-ancestry'),
    train: z.array(identifier).min(1),
    target: identifier,
    tuningFraction: z.number().gt(0).lt(1).default(STUDY_DEFAULTS.tuningFraction),
  })
  .strict();

export const studySchema = z
  .object({
    $schema: z.string().optional(),
    name: identifier,
    description: z.string().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(STUDY_DEFAULTS.seed),
    store: z.string().min(1).optional(),
    design: z.discriminatedUnion('type', [crossValidationDesign, crossAncestryDesign]),
  })
  .strict();

export type Study = z.output<typeof studySchema>;
export type StudyInput = z.input<typeof studySchema>;

export function parseStudy(value: unknown, source = 'study'): Study {
  const parsed = studySchema.safeParse(value);
  if (!parsed.success) throw ConfigError.fromZod(source, parsed.error);
  return parsed.data;
}

export async function readStudyFile(path: string): Promise<Study> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [{ field: '(root)', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parseStudy(value, path);
}

/** JSON Schema of the study file, for editor completion (`pgsflow schema > study.schema.json`). */
export function studyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(studySchema, { io: 'input' }) as Record<string, unknown>;
}
