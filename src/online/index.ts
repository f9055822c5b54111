/** Online serving: the online stores, materialize, and online reads (see online-feature-store.ts). */

export { EmbeddedOnlineStore } from './embedded-store.js';
export {
  type MaterializeOptions,
  type MaterializeProgress,
  type MaterializeResult,
  type MaterializeViewResult,
  materialize,
} from './materialize.js';
export { createMaterializeReporter } from './materialize-progress.js';
export { compileMaterialize, type MaterializeWindow } from './materialize-query.js';
export {
  type OnlineDefinitionSource,
  OnlineFeatureStore,
  type OnlineFeatureStoreOptions,
} from './online-feature-store.js';
export type {
  OnlineRow,
  OnlineStore,
  OnlineViewLayout,
  OnlineViewRead,
  OnlineViewWriter,
  StoredFeatures,
  StoredValue,
} from './online-store.js';
export {
  ONLINE_URL_ENV,
  type OpenOnlineStoreOptions,
  openOnlineStore,
} from './open-online-store.js';
export { RedisOnlineStore, type RedisOnlineStoreOptions } from './redis-store.js';
export type * from './types.js';
