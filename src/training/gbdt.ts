import { availableParallelism } from 'node:os';
import { TrainingError } from '../errors.js';
import { featureInfo } from './binning.js';
import { binDataset } from './dataset.js';
import { evaluateMetric, isHigherBetter } from './eval-metric.js';
import { createLocalHistogramBuilder } from './local-histogram-builder.js';
import { Model } from './model.js';
import { formatG } from './number-format.js';
import { type GBDTParams, resolveParams } from './params.js';
import { SeededRandom } from './random.js';
import { K_EPSILON } from './split.js';
import { addBias, createTree, decide, shrinkTree, type Tree, trimTree } from './tree.js';
import { type HistogramBuilder, TreeLearner } from './tree-learner.js';
import { createWasmHistogramBuilder } from './wasm-histogram-builder.js';
import { createWorkerHistogramBuilder } from './worker-histogram-builder.js';

/** Feature columns (one Float64Array per feature, NaN = missing) and 0/1 labels. */
export interface LabeledData {
  features: readonly Float64Array[];
  label: Float64Array | Uint8Array;
}

export interface TrainOptions extends LabeledData {
  featureNames: readonly string[];
  weight?: Float64Array | undefined;
  /** A validation set: metrics per iteration and early stopping. */
  valid?: LabeledData | undefined;
  /** LightGBM parameter names (or aliases); the rest keep LightGBM's defaults. */
  params?: Partial<GBDTParams> | Record<string, unknown> | undefined;
  /** Called after each iteration (0-based) with the validation metrics (`valid_<metric>`). */
  onIteration?: ((iteration: number, metrics: Record<string, number>) => void) | undefined;
}

/**
 * Train a binary GBDT with LightGBM's algorithm: histogram bins, leaf-wise growth,
 * LightGBM's gain and leaf formulas, shrinkage, bagging, feature_fraction, early stopping.
 * Deterministic for given seeds.
 *
 * @example
 * const model = await trainGBDT({
 *   features: [Float64Array.from(xs)], featureNames: ['x'], label: Uint8Array.from(ys),
 *   params: { num_iterations: 50, learning_rate: 0.1 },
 * });
 */
export async function trainGBDT(options: TrainOptions): Promise<Model> {
  return (await trainGBDTWithScores(options)).model;
}

/** A trained model and the raw scores of its training rows. */
export interface TrainedWithScores {
  model: Model;
  /**
   * The training rows' raw scores as boosting left them: the same numbers as
   * `model.predictRaw(features)` (the same additions in the same order), without predicting
   * again. Null when early stopping dropped trees (then predict).
   */
  trainRaw: Float64Array | null;
}

/**
 * {@link trainGBDT}, also returning the training rows' raw scores (for train metrics).
 *
 * @example
 * const { model, trainRaw } = await trainGBDTWithScores({ features, featureNames, label });
 */
export async function trainGBDTWithScores(options: TrainOptions): Promise<TrainedWithScores> {
  const params = resolveParams(options.params as Record<string, unknown> | undefined);
  const { features, label } = options;
  checkInputs(options, params);
  const numRows = label.length;
  const threads = params.num_threads === 0 ? availableParallelism() : params.num_threads;
  const useWorkers = threads > 1 && numRows >= params.min_rows_for_threads;
  const allocate = (bytes: number) =>
    useWorkers ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);

  const data = binDataset(features, params, allocate);
  const builder: HistogramBuilder =
    (await createWasmHistogramBuilder(data, useWorkers ? threads : 1)) ??
    (useWorkers
      ? await createWorkerHistogramBuilder(data, threads)
      : createLocalHistogramBuilder(data));
  try {
    const learner = new TreeLearner(data, params, builder);
    const usable = data.mappers.flatMap((m, f) => (m.isTrivial ? [] : [f]));
    const trees = await boost(
      options,
      params,
      learner,
      builder.gradients,
      builder.hessians,
      usable,
    );
    const header = {
      featureNames: [...options.featureNames],
      featureInfos: data.mappers.map((m) => featureInfo(m, (x) => formatG(x, 17))),
      objective: `binary sigmoid:${formatG(params.sigmoid, 6)}`,
      parameterLines: parameterLines(params),
    };
    return {
      model: new Model(trees.trees, header, trees.bestIteration),
      trainRaw: trees.bestIteration === null ? trees.scores : null,
    };
  } finally {
    await builder.close();
  }
}

async function boost(
  options: TrainOptions,
  params: GBDTParams,
  learner: TreeLearner,
  gradients: Float32Array,
  hessians: Float32Array,
  usable: number[],
): Promise<{ trees: Tree[]; bestIteration: number | null; scores: Float64Array }> {
  const { features, label, weight, valid } = options;
  const numRows = label.length;
  const numFeatures = features.length;
  const labelSign = new Int8Array(numRows);
  for (let i = 0; i < numRows; i++) labelSign[i] = label[i]! > 0 ? 1 : -1;

  // LightGBM's BoostFromAverage: an initial score within kEpsilon of 0 is not used at all.
  const average = params.boost_from_average ? initialScore(label, weight, params) : 0;
  const initScore = Math.abs(average) > K_EPSILON ? average : 0;
  const scores = new Float64Array(numRows).fill(initScore);
  const validScores = valid ? new Float64Array(valid.label.length).fill(initScore) : null;
  const trees: Tree[] = [];
  const bagRandom = new SeededRandom(params.bagging_seed);
  const featureRandom = new SeededRandom(params.feature_fraction_seed);
  const bagging = params.bagging_freq > 0 && params.bagging_fraction < 1;
  let bagCount = numRows;
  const earlyStopping = params.early_stopping_round > 0 && valid !== undefined;
  const best = params.metric.map((m) => ({
    metric: m,
    higher: isHigherBetter(m),
    score: Number.NaN,
    iteration: -1,
  }));
  let bestIteration: number | null = null;

  for (let iter = 0; iter < params.num_iterations; iter++) {
    computeGradients(scores, labelSign, weight, params, gradients, hessians);
    if (bagging && iter % params.bagging_freq === 0) {
      bagCount = 0;
      for (let r = 0; r < numRows; r++) {
        if (bagRandom.next() < params.bagging_fraction) learner.indices[bagCount++] = r;
      }
    } else if (!bagging) {
      for (let r = 0; r < numRows; r++) learner.indices[r] = r;
    }
    const featureUsed = sampleFeatures(numFeatures, usable, params.feature_fraction, featureRandom);
    const grown = await learner.grow(bagCount, !bagging, featureUsed);
    const tree = grown.tree;
    if (tree.numLeaves <= 1) {
      // No split: LightGBM keeps a constant first tree (the initial score) and stops.
      if (trees.length === 0) {
        const constant = createTree(1, initScore);
        constant.leafCount[0] = numRows;
        trees.push(trimTree(constant));
      }
      break;
    }
    shrinkTree(tree, params.learning_rate);
    const inBag = bagging ? new Uint8Array(numRows) : null;
    for (let leaf = 0; leaf < tree.numLeaves; leaf++) {
      const begin = grown.leafBegin[leaf]!;
      const end = begin + grown.leafRows[leaf]!;
      addLeafValue(scores, learner.indices, begin, end, tree.leafValue[leaf]!, inBag);
    }
    if (inBag) {
      for (let r = 0; r < numRows; r++) if (!inBag[r]) scores[r]! += predictTree(tree, features, r);
    }
    if (valid && validScores) {
      for (let r = 0; r < validScores.length; r++)
        validScores[r]! += predictTree(tree, valid.features, r);
    }
    if (iter === 0 && initScore !== 0) addBias(tree, initScore);
    trees.push(trimTree(tree));

    if (valid && validScores) {
      const metrics: Record<string, number> = {};
      const probs = sigmoidAll(validScores, params.sigmoid);
      let stop = false;
      for (const [m, b] of best.entries()) {
        const value = evaluateMetric(b.metric, probs, valid.label);
        metrics[`valid_${b.metric}`] = value;
        if (b.iteration < 0 || (b.higher ? value > b.score : value < b.score)) {
          b.score = value;
          b.iteration = iter;
        } else if (
          earlyStopping &&
          (!params.first_metric_only || m === 0) &&
          iter - b.iteration >= params.early_stopping_round
        ) {
          bestIteration = b.iteration + 1;
          stop = true;
          break;
        }
      }
      options.onIteration?.(iter, metrics);
      if (stop) break;
    } else {
      options.onIteration?.(iter, {});
    }
  }
  if (bestIteration !== null) trees.length = bestIteration;
  return { trees, bestIteration, scores };
}

/** Add a leaf's value to the scores of its rows `indices[begin … end − 1]` (marking them in-bag). */
function addLeafValue(
  scores: Float64Array,
  indices: Int32Array,
  begin: number,
  end: number,
  value: number,
  inBag: Uint8Array | null,
): void {
  if (inBag) {
    for (let i = begin; i < end; i++) {
      const r = indices[i]!;
      scores[r]! += value;
      inBag[r] = 1;
    }
  } else {
    for (let i = begin; i < end; i++) scores[indices[i]!]! += value;
  }
}

function sampleFeatures(
  numFeatures: number,
  usable: number[],
  fraction: number,
  random: SeededRandom,
): Uint8Array {
  const used = new Uint8Array(numFeatures);
  if (fraction >= 1) {
    for (const f of usable) used[f] = 1;
    return used;
  }
  const k = Math.max(1, Math.round(usable.length * fraction));
  for (const i of random.sample(usable.length, k)) used[usable[i]!] = 1;
  return used;
}

// LightGBM's BinaryLogloss::GetGradients: g = p − y, h = p(1 − p), stored as float32.
function computeGradients(
  scores: Float64Array,
  labelSign: Int8Array,
  weight: Float64Array | undefined,
  params: GBDTParams,
  gradients: Float32Array,
  hessians: Float32Array,
): void {
  const s = params.sigmoid;
  const posWeight = params.scale_pos_weight;
  for (let i = 0; i < scores.length; i++) {
    const y = labelSign[i]!;
    const response = (-y * s) / (1 + Math.exp(y * s * scores[i]!));
    const abs = Math.abs(response);
    let w = y > 0 ? posWeight : 1;
    if (weight) w *= weight[i]!;
    gradients[i] = response * w;
    hessians[i] = abs * (s - abs) * w;
  }
}

// LightGBM's BinaryLogloss::BoostFromScore: log(p̄ / (1 − p̄)) / sigmoid.
function initialScore(label: ArrayLike<number>, weight: Float64Array | undefined, p: GBDTParams) {
  let sumPositive = 0;
  let sumWeight = 0;
  for (let i = 0; i < label.length; i++) {
    const w = weight ? weight[i]! : 1;
    if (label[i]! > 0) sumPositive += w;
    sumWeight += w;
  }
  const mean = Math.max(K_EPSILON, Math.min(1 - K_EPSILON, sumPositive / sumWeight));
  return Math.log(mean / (1 - mean)) / p.sigmoid;
}

function predictTree(tree: Tree, features: readonly Float64Array[], row: number): number {
  let node = 0;
  while (node >= 0) node = decide(tree, node, features[tree.splitFeature[node]!]![row]!);
  return tree.leafValue[~node]!;
}

function sigmoidAll(raw: Float64Array, s: number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = 1 / (1 + Math.exp(-s * raw[i]!));
  return out;
}

function checkInputs(options: TrainOptions, params: GBDTParams): void {
  const { features, label, featureNames, weight, valid } = options;
  const fail = (why: string) => new TrainingError(`Failed to train: ${why}`);
  if (features.length === 0) throw fail('no features given');
  if (featureNames.length !== features.length) {
    throw fail(`${featureNames.length} feature names for ${features.length} features`);
  }
  for (const name of featureNames) {
    if (name === '' || /\s/.test(name))
      throw fail(`feature name '${name}' is empty or has whitespace`);
  }
  if (label.length === 0) throw fail('no rows');
  if (features[0]!.length !== label.length) {
    throw fail(`${label.length} labels for ${features[0]!.length} rows`);
  }
  for (const y of label) if (y !== 0 && y !== 1) throw fail(`labels must be 0 or 1 (found ${y})`);
  if (weight && weight.length !== label.length)
    throw fail('weight length differs from label length');
  if (valid) {
    if (valid.features.length !== features.length)
      throw fail('the validation set has other features');
    for (const c of valid.features) {
      if (c.length !== valid.label.length) throw fail('validation columns differ in length');
    }
  }
  if (params.early_stopping_round > 0 && !valid) {
    throw fail('early_stopping_round needs a validation set');
  }
}

function parameterLines(p: GBDTParams): string[] {
  return Object.entries(p)
    .filter(([k]) => k !== 'min_rows_for_threads')
    .map(([k, v]) => {
      const value = Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? 1 : 0) : v;
      return `[${k}: ${value}]`;
    });
}
