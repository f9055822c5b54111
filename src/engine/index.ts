/** The feature engine's public API (re-exported from the package root). */
export { computeCutoffs, DEFAULT_WINDOWS, readDateRange, type WindowOptions } from './cutoffs.js';
export { createExecutor, DEFAULT_EXECUTOR } from './executors.js';
export { InProcessExecutor, type InProcessExecutorOptions } from './in-process-executor.js';
export { fingerprintInput, type InputSource, resolveInputs } from './inputs.js';
export type { MaterializationRecord } from './materialization-record.js';
export {
  type PrepOptions,
  type PrepOutput,
  type PrepResult,
  type PrepTaskRecord,
  planTasks,
  prep,
} from './prep.js';
export { createProgressReporter, type PrepProgress, type ProgressReporter } from './progress.js';
export {
  bindSqlFile,
  checkBindings,
  describeSqlFile,
  loadSqlFile,
  parseSqlFile,
  runSqlFile,
  type SqlFile,
  type SqlParameter,
  type SqlParamValue,
} from './sql-file.js';
export { executeTask, type Task, type TaskResult, taskKey } from './task.js';
export type { ExecutorKind, ExecutorOptions, TaskExecutor } from './task-executor.js';
export { fingerprintFile, type TransactionsSource } from './transactions.js';
export { repositoryViews, type ViewSource } from './views.js';
export { WorkerPoolExecutor } from './worker-pool-executor.js';
