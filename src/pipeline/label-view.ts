import type { LabelViewDefinition } from '../definitions/types.js';
import { NotFoundError } from '../errors.js';
import type { Repository } from '../repo/repository.js';
import { displayPath, joinKeysOf } from '../repo/validate-repository.js';

/** A label view with its entities' join keys: what `train` and `predict` work from. */
export interface ResolvedLabelView extends LabelViewDefinition {
  /** The label rows' keys, in order (the join keys of the view's entities). */
  readonly keys: readonly string[];
}

/**
 * The label view `train` and `predict` use: the one named, or the repository's only one.
 * Throws a {@link NotFoundError} naming the label views the repository declares.
 *
 * @example const labels = resolveLabelView(await loadRepository(paths)); labels.keys // ['customer_id']
 */
export function resolveLabelView(repo: Repository, name?: string): ResolvedLabelView {
  const declared = repo.labelViews.map((v) => v.name).join(', ') || 'none';
  const where = displayPath(repo.file);
  let view: LabelViewDefinition | undefined;
  if (name !== undefined) {
    view = repo.labelViews.find((v) => v.name === name);
    if (!view) {
      throw new NotFoundError(
        `Failed to find label view "${name}" in ${where} (declared: ${declared})`,
      );
    }
  } else if (repo.labelViews.length === 1) {
    view = repo.labelViews[0]!;
  } else {
    throw new NotFoundError(
      repo.labelViews.length === 0
        ? `Failed to find a label view: ${where} declares none (declare one with labelView({ name, entities, label, transformation, featureService }))`
        : `Failed to find a label view: ${where} declares several (${declared}); name one`,
    );
  }
  return { ...view, keys: joinKeysOf(repo, view.entities) };
}
