import * as fc from 'fast-check';

/**
 * Property tests explore new random inputs on every local run, and replay one seed in CI (`CI` set), so a
 * submission's CI run is reproducible; `FC_SEED` picks another seed to replay a local failure's report.
 */
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261206' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
