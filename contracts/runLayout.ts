// Where a run keeps its files: one folder per unit (fold or ancestry) under the store's
// artifacts. A resumed run finds the interrupted run's unit folder by the same rule.

/** `<artifacts>/runs/<run>/<scope>`. */
export const unitDir = (artifactsDir: string, runId: string, scope: string): string => `${artifactsDir}/runs/${runId}/${scope}`;

/** The unit folder of the run `resumedFrom`, when this run resumes one. */
export const resumeDirOf = (artifactsDir: string, resumedFrom: string | undefined, scope: string): { resumeDir?: string } =>
  resumedFrom === undefined ? {} : { resumeDir: unitDir(artifactsDir, resumedFrom, scope) };
