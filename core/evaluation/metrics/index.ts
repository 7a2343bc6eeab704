// Evaluation of a polygenic score against a phenotype in held-out samples (DESIGN §5.4).
export { MetricInputError, SingularDesignError } from '../../errors.js';
export { ols, type OlsFit } from './ols.js';
export { incrementalR2, pearson, calibrationSlope } from './quantitative.js';
export { auc, mcFaddenR2, oddsRatioPerSd, type OddsRatio } from './binary.js';
export { logisticRegression, type LogisticFit, type LogisticOptions } from './logistic.js';
export { liabilityR2 } from './liability.js';
export { meanAndSe, type MeanAndSe } from './summary.js';
