import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../util/atomic-file.js';

/** What the manifest remembers of a materialized task, to reuse it on the next run. */
export interface ManifestEntry {
  /** {@link taskKey}: SQL text hash + parameters + input fingerprint. */
  key: string;
  view: string;
  cutoff: string;
  /** Partition file, relative to the partitions folder. */
  partition: string;
  rows: number;
  sqlSha256: string;
  inputFingerprint: string;
  createdTimestamp: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** What the manifest remembers of a combined output, to skip rewriting an unchanged one. */
export interface OutputStamp {
  /** sha256 of the partition files the output was combined from (their names hold task keys). */
  key: string;
  rows: number;
  /** The output file's size and mtime when written: a file changed since is rewritten. */
  size: number;
  mtimeMs: number;
}

export interface Manifest {
  version: 1;
  /** By task id (`<view>@<cutoff>`). */
  tasks: Record<string, ManifestEntry>;
  /** By view name (absent in manifests of older runs: every output is then rewritten). */
  outputs?: Record<string, OutputStamp>;
}

const FILE = 'manifest.json';

/** The manifest under `dir`, or an empty one when there is none (or it is unreadable). */
export async function readManifest(dir: string): Promise<Manifest> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Manifest;
    if (parsed.version === 1 && parsed.tasks && typeof parsed.tasks === 'object') return parsed;
  } catch {
    // A missing or corrupt manifest only means nothing can be reused.
  }
  return { version: 1, tasks: {} };
}

/** Write the manifest atomically. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomically(join(dir, FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
