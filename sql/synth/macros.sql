/* Macros of the synthetic generator. A counter-based PRNG: every random draw is a hash of
   (seed, entity, draw number), so the data does not depend on thread scheduling or on the
   order rows are produced in, and the same seed gives the same rows. */

-- uniform in [0, 1): the top 53 bits of DuckDB's 64-bit hash
CREATE OR REPLACE TEMP MACRO synth_uniform(seed, a, b, k) AS
  (hash(seed, a, b, k) >> 11)::DOUBLE / 9007199254740992.0;

-- standard normal (Box-Muller over two uniforms)
CREATE OR REPLACE TEMP MACRO synth_normal(seed, a, b, k) AS
  sqrt(-2 * ln(1 - synth_uniform(seed, a, b, k)))
  * cos(2 * pi() * synth_uniform(seed, a, b, k + 1000));

-- seasonality: a November peak, a quiet January/February (Online Retail's shape)
CREATE OR REPLACE TEMP MACRO synth_season(m) AS
  [0.75, 0.65, 0.8, 0.75, 0.75, 0.75, 0.75, 0.75, 1.1, 1.3, 2.8, 1.6][m];
