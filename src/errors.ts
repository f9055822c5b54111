/**
 * The error hierarchy. Every error duckfeat raises on purpose is a {@link DuckfeatError}:
 * the CLI prints its message as one line (the stack only with `--verbose`) and exits with
 * its `exitCode`. Messages read `Failed to <verb>: <reason>`.
 */
export class DuckfeatError extends Error {
  override name = 'DuckfeatError';
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input data or arguments: a missing file, a wrong column, an unparsable cell. */
export class InputError extends DuckfeatError {
  override name = 'InputError';
}

/** A definition or configuration problem; `location` is `path` or `path:line`. */
export class DefinitionError extends DuckfeatError {
  override name = 'DefinitionError';
  constructor(
    message: string,
    readonly location?: string,
    options?: { cause?: unknown },
  ) {
    super(location ? `${message} (at ${location})` : message, options);
  }
}

/** Something asked for by name does not exist; the message lists what does. */
export class NotFoundError extends DuckfeatError {
  override name = 'NotFoundError';
}

/** A SQL file could not be loaded or run; `location` is `path:line`. */
export class SqlFileError extends DuckfeatError {
  override name = 'SqlFileError';
  constructor(
    message: string,
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at ${location})`, options);
  }
}

/** A feature-engine task failed; carries the task's file and cutoff. */
export class TaskError extends DuckfeatError {
  override name = 'TaskError';
}

/** The registry could not be reached or changed. Never carries a password. */
export class RegistryError extends DuckfeatError {
  override name = 'RegistryError';
}

/** The task queue (Redis, for the bullmq executor) could not be reached. Never carries a password. */
export class QueueError extends DuckfeatError {
  override name = 'QueueError';
}

/** Point-in-time retrieval failed; carries the compiled SQL that was run. */
export class RetrievalError extends DuckfeatError {
  override name = 'RetrievalError';
  constructor(
    message: string,
    readonly sql?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Training or prediction failed (bad parameters, missing model, no rows). */
export class TrainingError extends DuckfeatError {
  override name = 'TrainingError';
}

/**
 * The online store cannot be reached (Redis down, the embedded store's file unreadable).
 * Temporary: the caller may retry (the feature server answers 503). Never carries a password.
 */
export class OnlineStoreUnavailableError extends DuckfeatError {
  override name = 'OnlineStoreUnavailableError';
}

/** The user interrupted a run (Ctrl-C). */
export class InterruptedError extends DuckfeatError {
  override name = 'InterruptedError';
  override readonly exitCode = 130;
}

/** The message of anything thrown, for wrapping foreign errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
