import { MISSING_NAN, MISSING_ZERO, ZERO_THRESHOLD } from './binning.js';

/** decision_type bit: missing values (and zeros with missing type Zero) go left. */
export const DEFAULT_LEFT_MASK = 2;

/**
 * One regression tree in LightGBM's layout. Node k is the k-th split; a child < 0 is the
 * leaf `~child`. Counts are data counts (SHAP uses them as cover); weights are hessian sums.
 */
export interface Tree {
  numLeaves: number;
  splitFeature: Int32Array;
  splitGain: Float64Array;
  threshold: Float64Array;
  decisionType: Uint8Array;
  leftChild: Int32Array;
  rightChild: Int32Array;
  leafValue: Float64Array;
  leafWeight: Float64Array;
  leafCount: Float64Array;
  internalValue: Float64Array;
  internalWeight: Float64Array;
  internalCount: Float64Array;
  shrinkage: number;
}

/** An empty tree with room for `maxLeaves` leaves: one leaf of value `value`. */
export function createTree(maxLeaves: number, value = 0): Tree {
  const nodes = Math.max(1, maxLeaves - 1);
  const tree: Tree = {
    numLeaves: 1,
    splitFeature: new Int32Array(nodes),
    splitGain: new Float64Array(nodes),
    threshold: new Float64Array(nodes),
    decisionType: new Uint8Array(nodes),
    leftChild: new Int32Array(nodes),
    rightChild: new Int32Array(nodes),
    leafValue: new Float64Array(maxLeaves),
    leafWeight: new Float64Array(maxLeaves),
    leafCount: new Float64Array(maxLeaves),
    internalValue: new Float64Array(nodes),
    internalWeight: new Float64Array(nodes),
    internalCount: new Float64Array(nodes),
    shrinkage: 1,
  };
  tree.leafValue[0] = value;
  return tree;
}

/** What splitting a leaf records (LightGBM's `Tree::Split`). */
export interface SplitRecord {
  feature: number;
  threshold: number;
  gain: number;
  missingType: number;
  defaultLeft: boolean;
  leftValue: number;
  rightValue: number;
  leftCount: number;
  rightCount: number;
  leftWeight: number;
  rightWeight: number;
}

/**
 * Split `leaf`: the left child keeps the leaf's index, the right child is the new leaf
 * `numLeaves`. `leafParent` is the learner's bookkeeping (parent node of each leaf).
 * Returns the new (right) leaf's index.
 */
export function splitLeaf(tree: Tree, leafParent: Int32Array, leaf: number, s: SplitRecord) {
  const node = tree.numLeaves - 1;
  const parent = leafParent[leaf]!;
  if (parent >= 0) {
    if (tree.leftChild[parent] === ~leaf) tree.leftChild[parent] = node;
    else tree.rightChild[parent] = node;
  }
  const right = tree.numLeaves;
  tree.splitFeature[node] = s.feature;
  tree.splitGain[node] = Math.fround(s.gain);
  tree.threshold[node] = s.threshold;
  tree.decisionType[node] = (s.defaultLeft ? DEFAULT_LEFT_MASK : 0) | ((s.missingType & 3) << 2);
  tree.leftChild[node] = ~leaf;
  tree.rightChild[node] = ~right;
  leafParent[leaf] = node;
  leafParent[right] = node;
  tree.internalWeight[node] = tree.leafWeight[leaf]!;
  tree.internalValue[node] = tree.leafValue[leaf]!;
  tree.internalCount[node] = s.leftCount + s.rightCount;
  tree.leafValue[leaf] = Number.isNaN(s.leftValue) ? 0 : s.leftValue;
  tree.leafWeight[leaf] = s.leftWeight;
  tree.leafCount[leaf] = s.leftCount;
  tree.leafValue[right] = Number.isNaN(s.rightValue) ? 0 : s.rightValue;
  tree.leafWeight[right] = s.rightWeight;
  tree.leafCount[right] = s.rightCount;
  tree.numLeaves++;
  return right;
}

const roundToZero = (x: number) => (Math.abs(x) > ZERO_THRESHOLD ? x : 0);

/** Multiply every value by `rate` (LightGBM's `Tree::Shrinkage`). */
export function shrinkTree(tree: Tree, rate: number): void {
  for (let i = 0; i < tree.numLeaves - 1; i++) {
    tree.leafValue[i] = roundToZero(tree.leafValue[i]! * rate);
    tree.internalValue[i] = roundToZero(tree.internalValue[i]! * rate);
  }
  tree.leafValue[tree.numLeaves - 1] = roundToZero(tree.leafValue[tree.numLeaves - 1]! * rate);
  tree.shrinkage *= rate;
}

/** Add `bias` to every value; the tree's shrinkage becomes 1 (LightGBM's `Tree::AddBias`). */
export function addBias(tree: Tree, bias: number): void {
  for (let i = 0; i < tree.numLeaves - 1; i++) {
    tree.leafValue[i] = roundToZero(tree.leafValue[i]! + bias);
    tree.internalValue[i] = roundToZero(tree.internalValue[i]! + bias);
  }
  tree.leafValue[tree.numLeaves - 1] = roundToZero(tree.leafValue[tree.numLeaves - 1]! + bias);
  tree.shrinkage = 1;
}

/** Copy the used part of a tree into arrays of exactly its size. */
export function trimTree(tree: Tree): Tree {
  const n = tree.numLeaves;
  const k = Math.max(0, n - 1);
  return {
    numLeaves: n,
    splitFeature: tree.splitFeature.slice(0, k),
    splitGain: tree.splitGain.slice(0, k),
    threshold: tree.threshold.slice(0, k),
    decisionType: tree.decisionType.slice(0, k),
    leftChild: tree.leftChild.slice(0, k),
    rightChild: tree.rightChild.slice(0, k),
    leafValue: tree.leafValue.slice(0, n),
    leafWeight: tree.leafWeight.slice(0, n),
    leafCount: tree.leafCount.slice(0, n),
    internalValue: tree.internalValue.slice(0, k),
    internalWeight: tree.internalWeight.slice(0, k),
    internalCount: tree.internalCount.slice(0, k),
    shrinkage: tree.shrinkage,
  };
}

/**
 * The child a value goes to at `node` (LightGBM's `NumericalDecision`): NaN is 0 unless the
 * missing type is NaN; missing values go to the default child; else `x <= threshold` is left.
 */
export function decide(tree: Tree, node: number, value: number): number {
  const type = tree.decisionType[node]!;
  const missingType = (type >> 2) & 3;
  let x = value;
  if (Number.isNaN(x) && missingType !== MISSING_NAN) x = 0;
  if (
    (missingType === MISSING_ZERO && x >= -ZERO_THRESHOLD && x <= ZERO_THRESHOLD) ||
    (missingType === MISSING_NAN && Number.isNaN(x))
  ) {
    return type & DEFAULT_LEFT_MASK ? tree.leftChild[node]! : tree.rightChild[node]!;
  }
  return x <= tree.threshold[node]! ? tree.leftChild[node]! : tree.rightChild[node]!;
}

/** Depth of the deepest leaf (the root alone has depth 0). */
export function treeDepth(tree: Tree): number {
  if (tree.numLeaves <= 1) return 0;
  const walk = (node: number): number =>
    node < 0 ? 0 : 1 + Math.max(walk(tree.leftChild[node]!), walk(tree.rightChild[node]!));
  return walk(0);
}
