import { stat } from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import type { Model } from '../training/model.js';
import { loadModel } from '../training/model-file.js';

/** One feature's share of a row's raw score (log-odds), from TreeSHAP. */
export interface Contribution {
  readonly feature: string;
  readonly value: number;
}

/** A row's top contributions by absolute value, and the bias (the model's expected raw score). */
export interface RowContributions {
  readonly bias: number;
  readonly top: readonly Contribution[];
}

/** The model file as loaded: the model and the file version it came from. */
export interface LoadedModel {
  readonly model: Model;
  readonly path: string;
  /** The file's modification time when it was loaded. */
  readonly modifiedAt: Date;
}

/**
 * The trained model behind `/predict`, reloaded when its file changes. `check()` compares
 * the file's mtime, size and inode with the loaded version's and loads it again when they
 * differ (the server calls it on a timer, never on the request path). Models are written
 * atomically (temp file + rename), so a reload never sees half a file; a file that does not
 * parse keeps the previous model and reports the error.
 *
 * @example
 * const scorer = new ModelScorer('models/purchase_model.txt');
 * await scorer.check();
 * scorer.current?.model.predictProba(columns);
 */
export class ModelScorer {
  #loaded: LoadedModel | undefined;
  #version = '';
  #lastError: string | undefined;

  /** `path` undefined: there is no model to load, for `reason`. */
  constructor(
    readonly path: string | undefined,
    reason?: string,
  ) {
    this.#lastError = path === undefined ? (reason ?? 'no model file is configured') : undefined;
  }

  /** The loaded model, or undefined when there is no (valid) model file yet. */
  get current(): LoadedModel | undefined {
    return this.#loaded;
  }

  /** Why the model could not be loaded, when it could not. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * Load the model if its file changed since the last check: `loaded` (a new model is in
   * use), `failed` (the file is missing or does not parse; the previous model, if any, stays
   * in use; reported once per file version) or `unchanged`.
   */
  async check(): Promise<'loaded' | 'failed' | 'unchanged'> {
    if (this.path === undefined) return 'unchanged';
    let version: string;
    let modifiedAt: Date;
    try {
      const s = await stat(this.path);
      version = `${s.mtimeMs}:${s.size}:${s.ino}`;
      modifiedAt = s.mtime;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
      return this.#fail('missing', `no model at ${this.path} (${code}); run \`duckfeat train\``);
    }
    if (version === this.#version) return 'unchanged';
    try {
      const model = await loadModel(this.path);
      this.#loaded = { model, path: this.path, modifiedAt };
      this.#version = version;
      this.#lastError = undefined;
      return 'loaded';
    } catch (error) {
      return this.#fail(
        version,
        `the model at ${this.path} cannot be loaded: ${errorMessage(error)}`,
      );
    }
  }

  #fail(version: string, message: string): 'failed' | 'unchanged' {
    if (version === this.#version) return 'unchanged';
    this.#version = version;
    this.#lastError = message;
    return 'failed';
  }
}

/**
 * Each row's `k` largest TreeSHAP contributions by absolute value (ties: model feature
 * order), from `Model.predictContrib`'s rows (one value per feature, then the bias).
 */
export function topContributions(
  rows: readonly Float64Array[],
  featureNames: readonly string[],
  k: number,
): RowContributions[] {
  const n = featureNames.length;
  return rows.map((phi) => {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => Math.abs(phi[b]!) - Math.abs(phi[a]!) || a - b);
    return {
      bias: phi[n]!,
      top: order.slice(0, k).map((i) => ({ feature: featureNames[i]!, value: phi[i]! })),
    };
  });
}
