// The models and feature sets of the nonlinear comparison (issue 20); pure constants, shared by
// the study-file schema and the contracts (so the workflow bundle carries no zod for them).
export const NONLINEAR_MODELS = ['linear', 'elasticnet', 'gbdt', 'mlp'] as const;
export type NonlinearModel = (typeof NONLINEAR_MODELS)[number];
export const NONLINEAR_INPUTS = ['pgs+covariates', 'snps+covariates'] as const;
export type NonlinearInputs = (typeof NONLINEAR_INPUTS)[number];
