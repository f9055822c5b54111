import { readFile } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-file.js';
import type { Model } from './model.js';
import { parseModel } from './model-text.js';

/** Write a model as LightGBM text, atomically (a temp file beside `path`, then a rename). */
export async function saveModel(model: Model, path: string): Promise<void> {
  await writeFileAtomically(path, model.toText());
}

/**
 * Load a LightGBM text model (written by duckfeat or LightGBM).
 *
 * @example const model = await loadModel('models/purchase_model.txt');
 */
export async function loadModel(path: string): Promise<Model> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`Failed to load model: no file at ${path}`, { cause: error });
    }
    throw error;
  }
  return parseModel(text);
}
