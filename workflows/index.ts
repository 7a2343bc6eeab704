// Every workflow the worker registers. Deterministic orchestration only: no I/O, clocks or
// randomness here; all of that lives in activities/.
export { demoWorkflow, demoProgressQuery } from './demo.js';
