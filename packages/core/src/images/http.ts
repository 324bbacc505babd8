import type { ImageSource } from "./catalog.js";

/** Reads images over HTTP from a base URL holding manifest.json (the lab app serves images/ there). */
export class HttpImageSource implements ImageSource {
  constructor(readonly where: string) {}

  private url(path: string): string {
    return new URL(path, this.where.endsWith("/") ? this.where : `${this.where}/`).href;
  }

  async readManifest(): Promise<unknown> {
    const response = await fetch(this.url("manifest.json"));
    if (!response.ok) throw new Error(`HTTP ${response.status} for manifest.json`);
    return response.json();
  }

  async read(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const response = await fetch(this.url(path));
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${path}`);
    const total = Number(response.headers.get("content-length")) || 0;
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
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
