import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A zip archive opened for reading entries by name (an .xlsx is a zip of XML parts).
 * yauzl reads the central directory and inflates entries with Node's native zlib, streaming,
 * so a 150 MB worksheet never sits in memory whole.
 */
export interface ZipArchive {
  /** Entry names mapped to their uncompressed sizes. */
  readonly entries: ReadonlyMap<string, number>;
  /** A stream of the entry's uncompressed bytes. */
  stream(name: string): Promise<Readable>;
  /** The whole entry as UTF-8 text (for the small parts: workbook, rels, shared strings). */
  text(name: string): Promise<string>;
  close(): void;
}

export async function openZip(path: string): Promise<ZipArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const byName = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        byName.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  const stream = (name: string) =>
    new Promise<Readable>((resolve, reject) => {
      const entry = byName.get(name);
      if (!entry) return reject(new Error(`the archive has no entry ${name}`));
      zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable)));
    });
  return {
    entries: new Map([...byName].map(([name, entry]) => [name, entry.uncompressedSize])),
    stream,
    async text(name) {
      const chunks: Buffer[] = [];
      for await (const chunk of await stream(name)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    close: () => zip.close(),
  };
}
