import type { BinnedDataset } from './dataset.js';

/** Rows of one leaf: `indices[start … end − 1]`, or rows `start … end − 1` when `indices` is null. */
export interface RowSet {
  readonly indices: Int32Array | null;
  readonly start: number;
  readonly end: number;
}

/**
 * Gradient and hessian sums per bin for the rows of `rows`, for every feature with
 * `used[f] = 1`, into `out` (layout: slot `binOffsets[f] + b` at `2·slot`, hessian at `+1`;
 * the slots of used features are zeroed first). One pass over the rows through the row slots
 * when the dataset has them; each bin's sum adds its rows in row order either way.
 */
export function buildHistogram(
  data: BinnedDataset,
  gradients: Float32Array,
  hessians: Float32Array,
  rows: RowSet,
  used: Uint8Array,
  out: Float64Array,
  scratch: { g: Float32Array; h: Float32Array },
): void {
  const { start, end, indices } = rows;
  const n = end - start;
  if (data.rowSlots) {
    let usedCount = 0;
    for (let f = 0; f < data.numFeatures; f++) {
      if (!used[f]) continue;
      out.fill(0, 2 * data.binOffsets[f]!, 2 * data.binOffsets[f + 1]!);
      usedCount++;
    }
    const slots = data.rowSlots;
    const nf = data.numFeatures;
    if (usedCount === nf) {
      if (indices) accumulateSlotsIndexed(slots, nf, indices, start, n, gradients, hessians, out);
      else accumulateSlotsRange(slots, nf, start, end, gradients, hessians, out);
    } else {
      const features = new Int32Array(usedCount);
      for (let f = 0, k = 0; f < nf; f++) if (used[f]) features[k++] = f;
      accumulateSlotsSubset(slots, nf, indices, start, n, gradients, hessians, out, features);
    }
    return;
  }
  // Without row slots (more than 65,536 bins in all): one pass per feature over the leaf's
  // gradients gathered into row order first (LightGBM's ordered gradients).
  const og = scratch.g;
  const oh = scratch.h;
  if (indices) {
    for (let i = 0; i < n; i++) {
      const r = indices[start + i]!;
      og[i] = gradients[r]!;
      oh[i] = hessians[r]!;
    }
  }
  for (let f = 0; f < data.numFeatures; f++) {
    if (!used[f]) continue;
    const off = 2 * data.binOffsets[f]!;
    out.fill(0, off, 2 * data.binOffsets[f + 1]!);
    const bins = data.bins[f]!;
    if (indices) {
      if (bins instanceof Uint8Array) accumulateIndexed8(bins, indices, start, n, og, oh, out, off);
      else accumulateIndexed16(bins, indices, start, n, og, oh, out, off);
    } else if (bins instanceof Uint8Array) {
      accumulateRange8(bins, start, end, gradients, hessians, out, off);
    } else {
      accumulateRange16(bins, start, end, gradients, hessians, out, off);
    }
  }
}

// Row-slot kernels: per row, its gradient pair once, then one slot per feature.
function accumulateSlotsIndexed(
  slots: Uint16Array,
  nf: number,
  indices: Int32Array,
  start: number,
  n: number,
  gradients: Float32Array,
  hessians: Float32Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const r = indices[start + i]!;
    const g = gradients[r]!;
    const h = hessians[r]!;
    for (let k = r * nf, end = k + nf; k < end; k++) {
      const b = 2 * slots[k]!;
      out[b]! += g;
      out[b + 1]! += h;
    }
  }
}

function accumulateSlotsRange(
  slots: Uint16Array,
  nf: number,
  start: number,
  end: number,
  gradients: Float32Array,
  hessians: Float32Array,
  out: Float64Array,
): void {
  for (let r = start, k = start * nf; r < end; r++) {
    const g = gradients[r]!;
    const h = hessians[r]!;
    for (const rowEnd = k + nf; k < rowEnd; k++) {
      const b = 2 * slots[k]!;
      out[b]! += g;
      out[b + 1]! += h;
    }
  }
}

function accumulateSlotsSubset(
  slots: Uint16Array,
  nf: number,
  indices: Int32Array | null,
  start: number,
  n: number,
  gradients: Float32Array,
  hessians: Float32Array,
  out: Float64Array,
  features: Int32Array,
): void {
  const used = features.length;
  for (let i = 0; i < n; i++) {
    const r = indices ? indices[start + i]! : start + i;
    const g = gradients[r]!;
    const h = hessians[r]!;
    const base = r * nf;
    for (let k = 0; k < used; k++) {
      const b = 2 * slots[base + features[k]!]!;
      out[b]! += g;
      out[b + 1]! += h;
    }
  }
}

// Four monomorphic kernels: V8 keeps each one specialised to one array type.
function accumulateIndexed8(
  bins: Uint8Array,
  indices: Int32Array,
  start: number,
  n: number,
  og: Float32Array,
  oh: Float32Array,
  out: Float64Array,
  off: number,
): void {
  for (let i = 0; i < n; i++) {
    const b = off + 2 * bins[indices[start + i]!]!;
    out[b]! += og[i]!;
    out[b + 1]! += oh[i]!;
  }
}

function accumulateIndexed16(
  bins: Uint16Array,
  indices: Int32Array,
  start: number,
  n: number,
  og: Float32Array,
  oh: Float32Array,
  out: Float64Array,
  off: number,
): void {
  for (let i = 0; i < n; i++) {
    const b = off + 2 * bins[indices[start + i]!]!;
    out[b]! += og[i]!;
    out[b + 1]! += oh[i]!;
  }
}

function accumulateRange8(
  bins: Uint8Array,
  start: number,
  end: number,
  g: Float32Array,
  h: Float32Array,
  out: Float64Array,
  off: number,
): void {
  for (let r = start; r < end; r++) {
    const b = off + 2 * bins[r]!;
    out[b]! += g[r]!;
    out[b + 1]! += h[r]!;
  }
}

function accumulateRange16(
  bins: Uint16Array,
  start: number,
  end: number,
  g: Float32Array,
  h: Float32Array,
  out: Float64Array,
  off: number,
): void {
  for (let r = start; r < end; r++) {
    const b = off + 2 * bins[r]!;
    out[b]! += g[r]!;
    out[b + 1]! += h[r]!;
  }
}

/** `larger = parent − smaller`, in place in `parent` (histogram subtraction), for used features. */
export function subtractHistogram(
  data: BinnedDataset,
  parent: Float64Array,
  smaller: Float64Array,
  used: Uint8Array,
): void {
  for (let f = 0; f < data.numFeatures; f++) {
    if (!used[f]) continue;
    const end = 2 * data.binOffsets[f + 1]!;
    for (let i = 2 * data.binOffsets[f]!; i < end; i++) parent[i]! -= smaller[i]!;
  }
}

/** Add `part` into `total` for used features (summing the shards of a sharded build). */
export function addHistogram(
  data: BinnedDataset,
  total: Float64Array,
  part: Float64Array,
  used: Uint8Array,
): void {
  for (let f = 0; f < data.numFeatures; f++) {
    if (!used[f]) continue;
    const end = 2 * data.binOffsets[f + 1]!;
    for (let i = 2 * data.binOffsets[f]!; i < end; i++) total[i]! += part[i]!;
  }
}

/**
 * LightGBM's `Dataset::FixHistogram`: it does not store a feature's most frequent bin, so
 * that bin's entry is the leaf's sums minus the other bins (in bin order). Applied to every
 * built histogram (the subtracted ones inherit it), so the split finder sees the same sums.
 */
export function fixHistogram(
  data: BinnedDataset,
  hist: Float64Array,
  used: Uint8Array,
  sumGradient: number,
  sumHessian: number,
): void {
  for (let f = 0; f < data.numFeatures; f++) {
    const most = data.mappers[f]!.mostFreqBin;
    if (!used[f] || most <= 0) continue;
    const off = 2 * data.binOffsets[f]!;
    const numBins = data.binOffsets[f + 1]! - data.binOffsets[f]!;
    let g = sumGradient;
    let h = sumHessian;
    for (let b = 0; b < numBins; b++) {
      if (b === most) continue;
      g -= hist[off + 2 * b]!;
      h -= hist[off + 2 * b + 1]!;
    }
    hist[off + 2 * most] = g;
    hist[off + 2 * most + 1] = h;
  }
}
