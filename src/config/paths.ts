import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where everything lives, relative to the project root (the working directory by default).
 * One place, so the CLI, the zx scripts and the tests agree.
 */
export interface ProjectPaths {
  /** The project root: `sql/`, `data/`, `models/`, `target/` are below it. */
  readonly root: string;
  /** The feature repository folder (holds `feature_store.ts`). */
  readonly repo: string;
  /** Raw input used when none is given. */
  readonly defaultInput: string;
  /** Cleaned transactions, cached per input fingerprint. */
  readonly ingestCache: string;
  /** The cleaned transactions of the last ingest (a copy of the cache entry). */
  readonly transactions: string;
  /** Synthetic data written by `synth` when no input exists. */
  readonly syntheticInput: string;
  /** Feature view and label parquets written by `prep`. */
  readonly featureData: string;
  /** Per-task partitions and the incremental-run manifest. */
  readonly partitions: string;
  /** Compiled SQL written for inspection (dbt's `target/compiled`). */
  readonly compiled: string;
  /** Models, metrics, predictions and the report. */
  readonly models: string;
  /** The SQL files shipped with the project. */
  readonly sql: string;
}

export interface PathOptions {
  root?: string | undefined;
  repo?: string | undefined;
}

export function projectPaths(options: PathOptions = {}): ProjectPaths {
  const root = resolve(options.root ?? process.cwd());
  const repo = resolveFrom(root, options.repo ?? 'feature_store');
  return {
    root,
    repo,
    defaultInput: join(root, 'data', 'input', 'Online Retail.xlsx'),
    ingestCache: join(root, 'data', 'cache'),
    transactions: join(root, 'data', 'processed', 'transactions.parquet'),
    syntheticInput: join(root, 'data', 'input', 'synthetic_retail.parquet'),
    featureData: join(repo, 'data'),
    partitions: join(root, 'data', 'partitions'),
    compiled: join(root, 'target', 'compiled'),
    models: join(root, 'models'),
    sql: join(root, 'sql'),
  };
}

/** The paths a store or server opens with: `paths` when given, else from `root` and `repo`. */
export function pathsFrom(
  options: PathOptions & { paths?: ProjectPaths | undefined },
): ProjectPaths {
  return options.paths ?? projectPaths(options);
}

/** `path` if absolute, else resolved against `base`. */
export function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
