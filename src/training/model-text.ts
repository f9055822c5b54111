import { TrainingError } from '../errors.js';
import { Model } from './model.js';
import { formatG } from './number-format.js';
import type { Tree } from './tree.js';

const g17 = (x: number) => formatG(x, 17);
const g6 = (x: number) => formatG(x, 6);
const join = (a: ArrayLike<number>, n: number, f: (x: number) => string) =>
  Array.from({ length: n }, (_, i) => f(a[i]!)).join(' ');
const int = (x: number) => String(x);

/** One `Tree=` block's body, as LightGBM's `Tree::ToString` writes it. */
function treeText(tree: Tree): string {
  const n = tree.numLeaves;
  const k = n - 1;
  const lines = [
    `num_leaves=${n}`,
    'num_cat=0',
    `split_feature=${join(tree.splitFeature, k, int)}`,
    `split_gain=${join(tree.splitGain, k, g6)}`,
    `threshold=${join(tree.threshold, k, g17)}`,
    `decision_type=${join(tree.decisionType, k, int)}`,
    `left_child=${join(tree.leftChild, k, int)}`,
    `right_child=${join(tree.rightChild, k, int)}`,
    `leaf_value=${join(tree.leafValue, n, g17)}`,
    // LightGBM leaves leaf_weight empty for a one-leaf (constant) tree.
    `leaf_weight=${n > 1 ? join(tree.leafWeight, n, g17) : ''}`,
    `leaf_count=${join(tree.leafCount, n, int)}`,
    `internal_value=${join(tree.internalValue, k, g6)}`,
    `internal_weight=${join(tree.internalWeight, k, g6)}`,
    `internal_count=${join(tree.internalCount, k, int)}`,
    'is_linear=0',
    `shrinkage=${g6(tree.shrinkage)}`,
  ];
  return `${lines.join('\n')}\n\n`;
}

/**
 * The model in LightGBM's v4 text format, byte for byte the layout LightGBM's
 * `GBDT::SaveModelToString` writes (with exact `tree_sizes`), so LightGBM loads it.
 */
export function writeModelText(model: Model): string {
  const { header } = model;
  const blocks = model.trees.map((tree, i) => `Tree=${i}\n${treeText(tree)}\n`);
  const out: string[] = [
    'tree',
    'version=v4',
    'num_class=1',
    'num_tree_per_iteration=1',
    'label_index=0',
    `max_feature_idx=${header.featureNames.length - 1}`,
  ];
  if (header.objective !== null) out.push(`objective=${header.objective}`);
  if (header.averageOutput) out.push('average_output');
  out.push(`feature_names=${header.featureNames.join(' ')}`);
  out.push(`feature_infos=${header.featureInfos.join(' ')}`);
  out.push(`tree_sizes=${blocks.map((b) => Buffer.byteLength(b, 'utf8')).join(' ')}`);
  let text = `${out.join('\n')}\n\n${blocks.join('')}end of trees\n`;
  const importance = model
    .featureImportance('split')
    .map((count, f) => ({ count, name: header.featureNames[f]! }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count); // stable: ties keep feature order, as LightGBM's
  text += `\nfeature_importances:\n${importance.map((e) => `${e.name}=${e.count}\n`).join('')}`;
  if (header.parameterLines.length > 0) {
    text += `\nparameters:\n${header.parameterLines.join('\n')}\n\nend of parameters\n`;
  }
  return text;
}

/**
 * Read a LightGBM text model (v3 or v4; numerical splits only): one written by duckfeat or
 * by LightGBM.
 *
 * @example const model = parseModel(await readFile('model.txt', 'utf8'));
 */
export function parseModel(text: string): Model {
  const lines = text.split(/\r?\n/);
  const fail = (why: string) => new TrainingError(`Failed to read model: ${why}`);
  if (lines[0]?.trim() !== 'tree')
    throw fail("not a LightGBM text model (first line is not 'tree')");
  const header = new Map<string, string>();
  let i = 1;
  for (; i < lines.length && !lines[i]!.startsWith('Tree='); i++) {
    const line = lines[i]!;
    if (line === 'end of trees') break;
    if (line === 'average_output') header.set('average_output', '1');
    const eq = line.indexOf('=');
    if (eq > 0) header.set(line.slice(0, eq), line.slice(eq + 1));
  }
  if ((header.get('num_class') ?? '1') !== '1')
    throw fail(
      `multiclass models (num_class=${header.get('num_class')}) are not supported (num_class=1 only)`,
    );
  const featureNames = (header.get('feature_names') ?? '').split(' ').filter((s) => s !== '');
  const maxFeatureIdx = Number(header.get('max_feature_idx') ?? featureNames.length - 1);
  if (featureNames.length !== maxFeatureIdx + 1)
    throw fail('feature_names does not match max_feature_idx');
  const trees: Tree[] = [];
  while (i < lines.length && lines[i]!.startsWith('Tree=')) {
    const fields = new Map<string, string>();
    i++;
    for (; i < lines.length && lines[i] !== '' && !lines[i]!.startsWith('Tree='); i++) {
      const line = lines[i]!;
      const eq = line.indexOf('=');
      if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
    }
    trees.push(parseTree(fields, trees.length, featureNames.length, fail));
    while (i < lines.length && lines[i] === '') i++;
  }
  if (lines[i] !== 'end of trees') throw fail("missing 'end of trees'");
  const parameterLines: string[] = [];
  const start = lines.indexOf('parameters:', i);
  if (start >= 0) {
    for (let j = start + 1; j < lines.length && lines[j] !== 'end of parameters'; j++) {
      if (lines[j]!.startsWith('[')) parameterLines.push(lines[j]!);
    }
  }
  return new Model(trees, {
    featureNames,
    featureInfos: (header.get('feature_infos') ?? '').split(' ').filter((s) => s !== ''),
    objective: header.get('objective') ?? null,
    averageOutput: header.has('average_output'),
    parameterLines,
  });
}

function parseTree(
  fields: Map<string, string>,
  index: number,
  numFeatures: number,
  fail: (why: string) => Error,
): Tree {
  const numLeaves = Number(fields.get('num_leaves'));
  if (!Number.isInteger(numLeaves) || numLeaves < 1) throw fail(`tree ${index} has no num_leaves`);
  if (Number(fields.get('num_cat') ?? 0) > 0)
    throw fail(`tree ${index} has categorical splits (not supported)`);
  if (Number(fields.get('is_linear') ?? 0) !== 0)
    throw fail(`tree ${index} is a linear tree (not supported)`);
  const k = numLeaves - 1;
  const nums = (key: string, n: number, required = true): number[] => {
    const raw = (fields.get(key) ?? '').trim();
    const values = raw === '' ? [] : raw.split(' ').map(parseNumber);
    if (values.length !== n && (required || values.length !== 0)) {
      throw fail(`tree ${index}: ${key} has ${values.length} values, expected ${n}`);
    }
    return values.length === n ? values : new Array<number>(n).fill(0);
  };
  const splitFeature = Int32Array.from(nums('split_feature', k));
  for (const f of splitFeature) {
    if (f < 0 || f >= numFeatures) throw fail(`tree ${index} splits on feature ${f}, out of range`);
  }
  return {
    numLeaves,
    splitFeature,
    splitGain: Float64Array.from(nums('split_gain', k, false)),
    threshold: Float64Array.from(nums('threshold', k)),
    decisionType: Uint8Array.from(nums('decision_type', k)),
    leftChild: Int32Array.from(nums('left_child', k)),
    rightChild: Int32Array.from(nums('right_child', k)),
    leafValue: Float64Array.from(nums('leaf_value', numLeaves)),
    leafWeight: Float64Array.from(nums('leaf_weight', numLeaves, false)),
    leafCount: Float64Array.from(nums('leaf_count', numLeaves, false)),
    internalValue: Float64Array.from(nums('internal_value', k, false)),
    internalWeight: Float64Array.from(nums('internal_weight', k, false)),
    internalCount: Float64Array.from(nums('internal_count', k, false)),
    shrinkage: Number(fields.get('shrinkage') ?? 1),
  };
}

function parseNumber(s: string): number {
  if (s === 'inf' || s === '+inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  if (s === 'nan' || s === '-nan') return Number.NaN;
  return Number(s);
}
