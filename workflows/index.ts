// Every workflow the worker registers. Deterministic orchestration only: no I/O, clocks or
// randomness here; all of that lives in activities/.
export { demoWorkflow, demoProgressQuery } from './demo.js';
export { crossValidationStudy } from './crossValidationStudy.js';
export { crossAncestryStudy } from './crossAncestryStudy.js';
export { foldPipeline } from './foldPipeline.js';
export { ancestryFit } from './ancestryFit.js';
export { auditReadWorkflow } from './auditRead.js';
