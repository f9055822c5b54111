import type { BinnedDataset } from './dataset.js';
import { fixHistogram, type RowSet, subtractHistogram } from './histogram.js';
import type { GBDTParams } from './params.js';
import { type PartitionRule, partitionRule } from './partition.js';
import {
  findBestThreshold,
  leafOutput,
  noSplit,
  type SplitCandidate,
  type SplitConfig,
} from './split.js';
import { createTree, splitLeaf, type Tree } from './tree.js';

/**
 * Builds a leaf's histogram (in this thread, or sharded over worker threads) and partitions
 * a leaf's rows. It owns the gradients, hessians and row partition its kernels read (in
 * WebAssembly or shared memory).
 */
export interface HistogramBuilder {
  readonly gradients: Float32Array;
  readonly hessians: Float32Array;
  readonly indices: Int32Array;
  build(rows: RowSet, used: Uint8Array, out: Float64Array): void | Promise<void>;
  /** Stable partition of `indices[begin … begin + count)`: left rows first. Returns their count. */
  partition(rule: PartitionRule, begin: number, count: number): number;
  close(): Promise<void>;
}

/** A grown tree and where each leaf's rows sit in the partition (to update scores). */
export interface GrownTree {
  tree: Tree;
  leafBegin: Int32Array;
  leafRows: Int32Array;
}

/**
 * LightGBM's serial tree learner: leaf-wise (best-first) growth. `indices[0 … numData − 1]`
 * holds the rows to learn from (all rows, or the bag) and is partitioned in place by leaf.
 */
export class TreeLearner {
  private readonly config: SplitConfig;
  private readonly histograms: Float64Array[] = [];
  private readonly gradients: Float32Array;
  private readonly hessians: Float32Array;
  readonly indices: Int32Array;

  constructor(
    private readonly data: BinnedDataset,
    private readonly params: GBDTParams,
    private readonly builder: HistogramBuilder,
  ) {
    this.gradients = builder.gradients;
    this.hessians = builder.hessians;
    this.indices = builder.indices;
    this.config = {
      lambdaL1: params.lambda_l1,
      lambdaL2: params.lambda_l2,
      maxDeltaStep: params.max_delta_step,
      minDataInLeaf: params.min_data_in_leaf,
      minSumHessianInLeaf: params.min_sum_hessian_in_leaf,
      minGainToSplit: params.min_gain_to_split,
    };
  }

  /**
   * Grow one tree on `indices[0 … numData − 1]` (`isAllRows`: they are 0 … n − 1 in order,
   * so the root histogram can read rows sequentially) with the features where `featureUsed`.
   */
  async grow(numData: number, isAllRows: boolean, featureUsed: Uint8Array): Promise<GrownTree> {
    const { data, params, config } = this;
    const maxLeaves = params.num_leaves;
    const tree = createTree(maxLeaves);
    const leafParent = new Int32Array(maxLeaves).fill(-1);
    const leafDepth = new Int32Array(maxLeaves);
    const leafBegin = new Int32Array(maxLeaves);
    const leafRows = new Int32Array(maxLeaves);
    const leafSumG = new Float64Array(maxLeaves);
    const leafSumH = new Float64Array(maxLeaves);
    const splittable: Uint8Array[] = [];
    const best: SplitCandidate[] = [];
    const histOf: Float64Array[] = [];

    let sumG = 0;
    let sumH = 0;
    const idx = this.indices;
    for (let i = 0; i < numData; i++) {
      const r = isAllRows ? i : idx[i]!;
      sumG += this.gradients[r]!;
      sumH += this.hessians[r]!;
    }
    leafRows[0] = numData;
    leafSumG[0] = sumG;
    leafSumH[0] = sumH;
    tree.leafValue[0] = leafOutput(sumG, sumH, config);
    tree.leafWeight[0] = sumH;
    tree.leafCount[0] = numData;
    histOf[0] = this.histogram(0);
    splittable[0] = featureUsed.slice();
    await this.builder.build(
      isAllRows
        ? { indices: null, start: 0, end: numData }
        : { indices: idx, start: 0, end: numData },
      featureUsed,
      histOf[0],
    );
    fixHistogram(data, histOf[0], featureUsed, sumG, sumH);
    best[0] = this.findBest(histOf[0], splittable[0], sumG, sumH, numData);

    for (let split = 0; split < maxLeaves - 1; split++) {
      let leaf = -1;
      for (let l = 0; l < tree.numLeaves; l++) {
        const b = best[l]!;
        if (
          leaf < 0 ||
          b.gain > best[leaf]!.gain ||
          (b.gain === best[leaf]!.gain && b.feature >= 0 && b.feature < best[leaf]!.feature)
        ) {
          leaf = l;
        }
      }
      const s = best[leaf]!;
      if (!(s.gain > 0)) break;

      const mapper = data.mappers[s.feature]!;
      const rule = partitionRule(s.feature, mapper, s.thresholdBin, s.defaultLeft);
      const leftCount = this.builder.partition(rule, leafBegin[leaf]!, leafRows[leaf]!);
      const rightCount = leafRows[leaf]! - leftCount;
      const right = splitLeaf(tree, leafParent, leaf, {
        feature: s.feature,
        threshold: mapper.upperBounds[s.thresholdBin]!,
        gain: s.gain,
        missingType: mapper.missingType,
        defaultLeft: s.defaultLeft,
        leftValue: s.leftOutput,
        rightValue: s.rightOutput,
        leftCount,
        rightCount,
        leftWeight: s.leftSumHessian,
        rightWeight: s.rightSumHessian,
      });
      leafBegin[right] = leafBegin[leaf]! + leftCount;
      leafRows[right] = rightCount;
      leafRows[leaf] = leftCount;
      leafDepth[right] = leafDepth[leaf]! + 1;
      leafDepth[leaf]!++;
      leafSumG[leaf] = s.leftSumGradient;
      leafSumH[leaf] = s.leftSumHessian;
      leafSumG[right] = s.rightSumGradient;
      leafSumH[right] = s.rightSumHessian;
      best[leaf] = noSplit();
      best[right] = noSplit();

      const tooDeep = params.max_depth > 0 && leafDepth[leaf]! >= params.max_depth;
      const tooSmall =
        leftCount < 2 * params.min_data_in_leaf && rightCount < 2 * params.min_data_in_leaf;
      if (tooDeep || tooSmall) continue;

      // Build the smaller child's histogram; the larger one is the parent's minus it.
      const parentHist = histOf[leaf]!;
      const smaller = leftCount < rightCount ? leaf : right;
      const larger = smaller === leaf ? right : leaf;
      const parentSplittable = splittable[leaf]!;
      const smallHist = this.histogram(split + 1);
      await this.builder.build(
        { indices: idx, start: leafBegin[smaller]!, end: leafBegin[smaller]! + leafRows[smaller]! },
        parentSplittable,
        smallHist,
      );
      fixHistogram(data, smallHist, parentSplittable, leafSumG[smaller]!, leafSumH[smaller]!);
      subtractHistogram(data, parentHist, smallHist, parentSplittable);
      histOf[smaller] = smallHist;
      histOf[larger] = parentHist;
      splittable[right] = parentSplittable.slice();
      for (const l of [smaller, larger]) {
        best[l] = this.findBest(
          histOf[l]!,
          splittable[l]!,
          leafSumG[l]!,
          leafSumH[l]!,
          leafRows[l]!,
        );
      }
    }
    return { tree, leafBegin, leafRows };
  }

  private histogram(slot: number): Float64Array {
    let h = this.histograms[slot];
    if (!h) {
      h = new Float64Array(2 * this.data.totalBins);
      this.histograms[slot] = h;
    }
    return h;
  }

  private findBest(
    hist: Float64Array,
    splittable: Uint8Array,
    sumG: number,
    sumH: number,
    numData: number,
  ): SplitCandidate {
    const out = noSplit();
    for (let f = 0; f < this.data.numFeatures; f++) {
      if (!splittable[f]) continue;
      const ok = findBestThreshold(
        hist,
        2 * this.data.binOffsets[f]!,
        this.data.mappers[f]!,
        f,
        sumG,
        sumH,
        numData,
        this.config,
        out,
      );
      if (!ok) splittable[f] = 0;
    }
    return out;
  }
}
