// Test support of the common module: seeded fuzzing of decoders.
export { type FuzzOptions, fuzzInputs, seededRandom } from './fuzz.js';
