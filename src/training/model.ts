import { TrainingError } from '../errors.js';
import { ZERO_THRESHOLD } from './binning.js';
import { convertOutput, type ModelOutput, modelOutput } from './model-output.js';
import { writeModelText } from './model-text.js';
import { addTreeShap } from './shap.js';
import type { Tree } from './tree.js';

/** What a model file says besides its trees. */
export interface ModelHeader {
  featureNames: string[];
  /** `[min:max]` or `none`, one per feature (LightGBM's feature_infos). */
  featureInfos: string[];
  /** `binary sigmoid:1`, `regression`, `poisson`, …, or null: raw scores only. */
  objective: string | null;
  /**
   * LightGBM's `average_output` line (random forest, `boosting=rf`): the raw score is the
   * trees' mean instead of their sum.
   */
  averageOutput?: boolean;
  /** The `parameters:` section's lines (`[name: value]`), kept to write back out. */
  parameterLines: string[];
}

/**
 * A trained (or loaded) GBDT model: the sum of its trees is the raw score (log-odds for a
 * binary model); its prediction is the raw score converted as its objective says
 * (`predict`): the sigmoid for binary models, exp for poisson, none for regression.
 *
 * @example
 * const model = await trainGBDT({ features, featureNames, label });
 * const p = model.predictProba(features); // Float64Array, one probability per row
 */
export class Model {
  /** How the raw score becomes the prediction (from the objective). */
  readonly output: ModelOutput;

  constructor(
    readonly trees: Tree[],
    readonly header: ModelHeader,
    /** Trees kept after early stopping (= trees.length), or null when it did not apply. */
    readonly bestIteration: number | null = null,
  ) {
    this.output = modelOutput(header.objective);
  }

  /** The sigmoid's scale of a binary model (1 for any other). */
  get sigmoid(): number {
    return this.output.kind === 'sigmoid' ? this.output.scale : 1;
  }

  get featureNames(): string[] {
    return this.header.featureNames;
  }

  get numFeatures(): number {
    return this.header.featureNames.length;
  }

  /** Raw scores (log-odds): one per row of `features` (one Float64Array per feature, NaN = missing). */
  predictRaw(features: readonly Float64Array[]): Float64Array {
    const numRows = this.checkFeatures(features);
    const out = new Float64Array(numRows);
    for (const tree of this.trees) {
      if (tree.numLeaves <= 1) {
        const v = tree.leafValue[0]!;
        for (let r = 0; r < numRows; r++) out[r]! += v;
        continue;
      }
      const { splitFeature, threshold, decisionType, leftChild, rightChild, leafValue } = tree;
      for (let r = 0; r < numRows; r++) {
        let node = 0;
        while (node >= 0) {
          let x = features[splitFeature[node]!]![r]!;
          const type = decisionType[node]!;
          const missing = (type >> 2) & 3;
          if (Number.isNaN(x) && missing !== 2) x = 0;
          if (
            (missing === 1 && x >= -ZERO_THRESHOLD && x <= ZERO_THRESHOLD) ||
            (missing === 2 && Number.isNaN(x))
          ) {
            node = type & 2 ? leftChild[node]! : rightChild[node]!;
          } else {
            node = x <= threshold[node]! ? leftChild[node]! : rightChild[node]!;
          }
        }
        out[r]! += leafValue[~node]!;
      }
    }
    if (this.header.averageOutput && this.trees.length > 0) {
      for (let r = 0; r < numRows; r++) out[r]! /= this.trees.length;
    }
    return out;
  }

  /**
   * Predictions as LightGBM's `predict` returns them: the raw scores converted by the
   * objective (probabilities for binary, exp for poisson, raw for regression and ranking).
   */
  predict(features: readonly Float64Array[]): Float64Array {
    return convertOutput(this.output, this.predictRaw(features));
  }

  /**
   * Probabilities of the positive class: sigmoid of the raw scores (a model without an
   * objective: its raw scores). Refuses a model that does not predict probabilities.
   */
  predictProba(features: readonly Float64Array[]): Float64Array {
    if (this.output.kind !== 'sigmoid' && this.header.objective !== null) {
      throw new TrainingError(
        `Failed to predict probabilities: the model's objective is '${this.header.objective}', not a binary classifier (use predict())`,
      );
    }
    return this.predict(features);
  }

  /**
   * SHAP contributions per row (TreeSHAP): one value per feature then the bias (expected
   * value); they sum to the row's raw score. Same layout as LightGBM's `pred_contrib`.
   */
  predictContrib(features: readonly Float64Array[]): Float64Array[] {
    if (this.header.averageOutput) {
      throw new TrainingError(
        'Failed to compute SHAP contributions: not supported for average_output (random forest) models',
      );
    }
    const numRows = this.checkFeatures(features);
    const nf = this.numFeatures;
    const rows: Float64Array[] = [];
    for (let r = 0; r < numRows; r++) {
      const phi = new Float64Array(nf + 1);
      const value = (f: number) => features[f]![r]!;
      for (const tree of this.trees) addTreeShap(tree, value, phi, nf);
      rows.push(phi);
    }
    return rows;
  }

  /** Per feature: the number of splits on it (`split`) or the sum of their gains (`gain`). */
  featureImportance(type: 'split' | 'gain' = 'split'): number[] {
    const out = new Array<number>(this.numFeatures).fill(0);
    for (const tree of this.trees) {
      for (let k = 0; k < tree.numLeaves - 1; k++) {
        const gain = tree.splitGain[k]!;
        if (gain > 0) out[tree.splitFeature[k]!]! += type === 'gain' ? gain : 1;
      }
    }
    return out;
  }

  /** The model in LightGBM's v4 text format. */
  toText(): string {
    return writeModelText(this);
  }

  private checkFeatures(features: readonly Float64Array[]): number {
    if (features.length !== this.numFeatures) {
      throw new TrainingError(
        `Failed to predict: the model has ${this.numFeatures} features, got ${features.length} columns`,
      );
    }
    const numRows = features[0]?.length ?? 0;
    for (const column of features) {
      if (column.length !== numRows) {
        throw new TrainingError('Failed to predict: feature columns differ in length');
      }
    }
    return numRows;
  }
}
