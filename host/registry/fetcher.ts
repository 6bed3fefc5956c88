/**
 * How the TUF client reaches a registry: over http(s) with Node's fetch, or
 * straight from a folder for a local registry (a `file:` URL), so a
 * reviewer's working copy or a mounted share needs no server. Measured on
 * the demo registry: a folder refresh costs file reads only, where a loopback
 * HTTP server would add a listening port and a request per file for nothing.
 *
 * A missing file answers like an HTTP 404, which is how tuf-js learns that
 * the newest root version has been reached. Root versions fetched during a
 * refresh are kept, in order: the client stores that chain with the rest of
 * the verified metadata, so offline checks can start from the pinned root.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BaseFetcher } from 'tuf-js';
// tuf-js does not re-export its error classes; its updater recognises "not found" by this class.
import { DownloadHTTPError } from 'tuf-js/dist/error.js';

const ROOT_FILE = /\/(\d+)\.root\.json$/;

export class RegistryFetcher extends BaseFetcher {
  /** Root versions downloaded so far (`N.root.json`), keyed by version. */
  readonly roots = new Map<number, Buffer>();

  constructor(private readonly timeoutMs: number) {
    super();
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    return url.startsWith('file:') ? this.#fromFile(url) : this.#fromHttp(url);
  }

  override async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    const bytes = await super.downloadBytes(url, maxLength);
    const root = ROOT_FILE.exec(new URL(url).pathname);
    if (root) this.roots.set(Number(root[1]), bytes);
    return bytes;
  }

  async #fromFile(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const path = fileURLToPath(url);
    try {
      await access(path);
    } catch {
      throw new DownloadHTTPError(`not found: ${path}`, 404);
    }
    return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  async #fromHttp(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new DownloadHTTPError(`${url}: HTTP ${response.status}`, response.status);
    }
    return response.body as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}
