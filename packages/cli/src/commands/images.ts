import type { ImageEntry } from "@hyperlab/core";
import type { Context } from "../context.js";
import { outLine } from "../io.js";

export interface ImageSummary {
  id: string;
  title: string;
  kind: string;
  minMemoryMiB: number;
  defaultMemoryMiB: number;
  drivers: string[];
  /** All the image's files (BIOS included): what loading it reads. */
  sizeBytes: number;
}

export function summarize(image: ImageEntry): ImageSummary {
  const sizeBytes = Object.values(image.files).reduce((sum, file) => sum + (file?.size ?? 0), 0);
  return {
    id: image.id,
    title: image.title,
    kind: image.kind,
    minMemoryMiB: image.minMemoryMiB,
    defaultMemoryMiB: image.defaultMemoryMiB,
    drivers: image.drivers,
    sizeBytes,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Columns padded to their widest cell; the last column is left ragged. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join("  "),
    )
    .join("\n");
}

export function imagesTable(images: ImageSummary[]): string {
  const rows = [["ID", "KIND", "MEMORY (MIN/DEFAULT)", "SIZE", "DRIVERS", "TITLE"]];
  for (const image of images)
    rows.push([
      image.id,
      image.kind,
      `${image.minMemoryMiB}/${image.defaultMemoryMiB} MiB`,
      mib(image.sizeBytes),
      image.drivers.join(",") || "-",
      image.title,
    ]);
  return table(rows);
}

export async function images(args: { json: boolean }, context: Context): Promise<number> {
  const list = (await context.hv.catalog.list()).map(summarize);
  await outLine(args.json ? JSON.stringify(list, null, 2) : imagesTable(list));
  return 0;
}
