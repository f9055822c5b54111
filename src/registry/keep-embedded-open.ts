import { closeEmbedded, type EmbeddedHandle } from './embedded-handle.js';

/** Embedded registries kept open, by resolved folder. */
class KeptRegistries {
  readonly #handles = new Map<string, Promise<EmbeddedHandle>>();

  /** The registry kept open for `key`, opened by `open` the first time. */
  open(key: string, open: () => Promise<EmbeddedHandle>): Promise<EmbeddedHandle> {
    let opening = this.#handles.get(key);
    if (!opening) {
      const started = open();
      opening = started;
      this.#handles.set(key, started);
      // A failed open is not kept: the next command tries again (and reports its own error).
      started.catch(() => this.#handles.get(key) === started && this.#handles.delete(key));
    }
    return opening;
  }

  async closeAll(): Promise<void> {
    const handles = await Promise.allSettled(this.#handles.values());
    this.#handles.clear();
    for (const handle of handles) {
      if (handle.status === 'fulfilled') await closeEmbedded(handle.value);
    }
  }
}

// The one piece of module-level state left in the registry, for scripts/lib.mjs, which runs
// CLI commands in one process and cannot pass a registry to them: it goes when the pipeline
// passes one open registry through its steps instead.
let kept: KeptRegistries | undefined;

/** The registries being kept open, when {@link keepEmbeddedRegistriesOpen} is in force. */
export function keptOpen(): KeptRegistries | undefined {
  return kept;
}

/**
 * From now on, keep each embedded registry open once it is opened, its lock held, instead of
 * closing it at every `close()`, until the returned function is called (it closes them all).
 * For a process that runs several commands in a row (`scripts/all.mjs`), which would
 * otherwise open PGlite again at every step (0.3–1 s each); other processes wait for the
 * registry until then.
 *
 * @example
 * const closeRegistries = keepEmbeddedRegistriesOpen();
 * try { await main(['node', 'duckfeat', 'apply']); await main(['node', 'duckfeat', 'train']); }
 * finally { await closeRegistries(); }
 */
export function keepEmbeddedRegistriesOpen(): () => Promise<void> {
  const mine = new KeptRegistries();
  kept = mine;
  return async () => {
    if (kept === mine) kept = undefined;
    await mine.closeAll();
  };
}
