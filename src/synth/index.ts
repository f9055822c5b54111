export { type SynthesizeOptions, type SynthesizeResult, synthesize } from './synthesize.js';
