/**
 * Serves the repository's guest images (images/manifest.json and the files it lists) at
 * /images/: from the images folder in dev, copied into dist/images/ by a build.
 * Nothing else of images/ (build scripts, images/.build) is served or copied.
 */
import { createReadStream, existsSync, mkdirSync, copyFileSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

interface ManifestLike {
  images?: { files?: Record<string, { path?: string } | undefined>; readySnapshots?: { path?: string }[] }[];
}

/** Paths (relative to images/) the manifest lists, plus the manifest itself. */
export function listedFiles(manifest: ManifestLike): string[] {
  const paths = new Set<string>(["manifest.json"]);
  for (const image of manifest.images ?? [])
    // Ready snapshots (instant launch) are listed apart from the boot files.
    for (const file of [...Object.values(image.files ?? {}), ...(image.readySnapshots ?? [])])
      if (file?.path && !file.path.includes("..") && !file.path.startsWith(".build")) paths.add(file.path);
  return [...paths];
}

function readManifest(root: string): ManifestLike | undefined {
  const path = join(root, "manifest.json");
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as ManifestLike;
}

const TYPES: Record<string, string> = { ".json": "application/json", ".bin": "application/octet-stream" };

function serveFrom(root: string) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/images/")) return next();
    const relative = normalize(decodeURIComponent(url.pathname.slice("/images/".length)));
    const manifest = readManifest(root);
    if (!manifest || !listedFiles(manifest).includes(relative)) {
      res.statusCode = 404;
      res.end(manifest ? "not an image file" : "images/manifest.json is missing: build the images first");
      return;
    }
    const file = join(root, relative);
    const ext = relative.slice(relative.lastIndexOf("."));
    res.setHeader("Content-Type", TYPES[ext] ?? "application/octet-stream");
    res.setHeader("Content-Length", String(statSync(file).size));
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    createReadStream(file).pipe(res);
  };
}

export function guestImages(imagesDir: URL): Plugin {
  const root = fileURLToPath(imagesDir);
  let outDir = "dist";
  return {
    name: "hyperlab:guest-images",
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveFrom(root));
    },
    configurePreviewServer(server) {
      // A build made before the images existed: serve them from the repository instead.
      if (!existsSync(join(outDir, "images", "manifest.json"))) server.middlewares.use(serveFrom(root));
    },
    writeBundle() {
      const manifest = readManifest(root);
      if (!manifest) {
        this.warn(`no ${join(root, "manifest.json")}: the app is built without guest images`);
        return;
      }
      for (const path of listedFiles(manifest)) {
        const from = join(root, path);
        if (!existsSync(from)) {
          this.warn(`images/${path} is listed in the manifest but missing`);
          continue;
        }
        const to = join(outDir, "images", path);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(from, to);
      }
    },
  };
}
