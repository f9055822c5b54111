import type {
  EntityDefinition,
  FeatureServiceDefinition,
  FeatureViewDefinition,
  FileSourceDefinition,
  LabelViewDefinition,
  OnDemandFeatureViewDefinition,
  RepoConfig,
} from '../definitions/types.js';

/** A loaded feature repository: its config and every object it declares. */
export interface Repository {
  readonly config: RepoConfig;
  readonly entities: readonly EntityDefinition[];
  /** Sources exported directly or used by a feature view, once each. */
  readonly sources: readonly FileSourceDefinition[];
  readonly featureViews: readonly FeatureViewDefinition[];
  readonly featureServices: readonly FeatureServiceDefinition[];
  /** On-demand feature views (absent: none). */
  readonly onDemandFeatureViews?: readonly OnDemandFeatureViewDefinition[];
  /** The label rows models learn from (repository only: not synced to the registry). */
  readonly labelViews: readonly LabelViewDefinition[];
  /** The absolute path of the `feature_store.ts` it came from. */
  readonly file: string;
  /** The repository folder (relative source paths resolve against it). */
  readonly dir: string;
  /** The project root (transformation SQL paths resolve against it). */
  readonly root: string;
}
