import { decide, type Tree, treeDepth } from './tree.js';

/**
 * Path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) as LightGBM implements it in
 * `Tree::TreeSHAP`, with node data counts as cover. Adds each feature's contribution for one
 * row to `phi[f]` and the tree's expected value to `phi[numFeatures]`.
 */
export function addTreeShap(
  tree: Tree,
  row: (f: number) => number,
  phi: Float64Array,
  numFeatures: number,
): void {
  phi[numFeatures]! += expectedValue(tree);
  if (tree.numLeaves <= 1) return;
  const maxPath = treeDepth(tree) + 2;
  const size = (maxPath * (maxPath + 1)) / 2;
  const path: Path = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  recurse(tree, row, phi, 0, 0, path, 0, 1, 1, -1);
}

/** Mean leaf value weighted by leaf counts: the tree's output with no feature known. */
export function expectedValue(tree: Tree): number {
  if (tree.numLeaves <= 1) return tree.leafValue[0]!;
  const total = tree.internalCount[0]!;
  let value = 0;
  for (let i = 0; i < tree.numLeaves; i++)
    value += (tree.leafCount[i]! / total) * tree.leafValue[i]!;
  return value;
}

interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

const count = (tree: Tree, node: number) =>
  node >= 0 ? tree.internalCount[node]! : tree.leafCount[~node]!;

function recurse(
  tree: Tree,
  row: (f: number) => number,
  phi: Float64Array,
  node: number,
  depthIn: number,
  p: Path,
  parentStart: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  let depth = depthIn;
  // This level's copy of the path starts right after the parent's.
  const start = parentStart + depth;
  if (depth > 0) {
    p.feature.copyWithin(start, parentStart, parentStart + depth);
    p.zero.copyWithin(start, parentStart, parentStart + depth);
    p.one.copyWithin(start, parentStart, parentStart + depth);
    p.weight.copyWithin(start, parentStart, parentStart + depth);
  }
  extendPath(p, start, depth, parentZero, parentOne, parentFeature);

  if (node < 0) {
    const leafValue = tree.leafValue[~node]!;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(p, start, depth, i);
      phi[p.feature[start + i]!]! += w * (p.one[start + i]! - p.zero[start + i]!) * leafValue;
    }
    return;
  }
  const feature = tree.splitFeature[node]!;
  const hot = decide(tree, node, row(feature));
  const cold = hot === tree.leftChild[node] ? tree.rightChild[node]! : tree.leftChild[node]!;
  const w = count(tree, node);
  const hotZero = count(tree, hot) / w;
  const coldZero = count(tree, cold) / w;
  let incomingZero = 1;
  let incomingOne = 1;
  let k = 0;
  for (; k <= depth; k++) if (p.feature[start + k] === feature) break;
  if (k !== depth + 1) {
    incomingZero = p.zero[start + k]!;
    incomingOne = p.one[start + k]!;
    unwindPath(p, start, depth, k);
    depth -= 1;
  }
  recurse(tree, row, phi, hot, depth + 1, p, start, hotZero * incomingZero, incomingOne, feature);
  recurse(tree, row, phi, cold, depth + 1, p, start, coldZero * incomingZero, 0, feature);
}

function extendPath(p: Path, s: number, depth: number, zero: number, one: number, feature: number) {
  p.feature[s + depth] = feature;
  p.zero[s + depth] = zero;
  p.one[s + depth] = one;
  p.weight[s + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[s + i + 1]! += (one * p.weight[s + i]! * (i + 1)) / (depth + 1);
    p.weight[s + i] = (zero * p.weight[s + i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: Path, s: number, depth: number, index: number) {
  const one = p.one[s + index]!;
  const zero = p.zero[s + index]!;
  let next = p.weight[s + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[s + i]!;
      p.weight[s + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.weight[s + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[s + i] = (p.weight[s + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[s + i] = p.feature[s + i + 1]!;
    p.zero[s + i] = p.zero[s + i + 1]!;
    p.one[s + i] = p.one[s + i + 1]!;
  }
}

function unwoundPathSum(p: Path, s: number, depth: number, index: number): number {
  const one = p.one[s + index]!;
  const zero = p.zero[s + index]!;
  let next = p.weight[s + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = p.weight[s + i]! - tmp * zero * ((depth - i) / (depth + 1));
    } else {
      total += p.weight[s + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}
