import { MAX_MANIFEST_BYTES, tooLong, type ImageSource } from "./catalog.js";

/** Reads images over HTTP from a base URL holding manifest.json (the lab app serves images/ there). */
export class HttpImageSource implements ImageSource {
  constructor(readonly where: string) {}

  private url(path: string): string {
    return new URL(path, this.where.endsWith("/") ? this.where : `${this.where}/`).href;
  }

  async readManifest(): Promise<unknown> {
    const bytes = await this.read("manifest.json", undefined, MAX_MANIFEST_BYTES);
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  /** Streams the file; stops (and cancels the response) as soon as it exceeds `maxBytes`. */
  async read(
    path: string,
    onProgress?: (loaded: number, total: number) => void,
    maxBytes = Infinity,
  ): Promise<Uint8Array> {
    const response = await fetch(this.url(path));
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${path}`);
    const total = Number(response.headers.get("content-length")) || 0;
    if (total > maxBytes) {
      await response.body.cancel();
      throw tooLong(path, maxBytes);
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.length;
      if (loaded > maxBytes) {
        await reader.cancel();
        throw tooLong(path, maxBytes);
      }
      chunks.push(value);
      onProgress?.(loaded, Math.max(total, loaded));
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }
}
