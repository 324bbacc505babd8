import { HyperlabError } from "../errors.js";
import type { Snapshot, SnapshotHeader } from "./format.js";

/** The file name extension of a snapshot file. */
export const SNAPSHOT_EXTENSION = ".hlsnap";

/** A stored snapshot, as listed (without its body). */
export interface SnapshotInfo {
  id: string;
  header: SnapshotHeader;
  /** Bytes of the whole file. */
  size: number;
}

/**
 * Where snapshots are kept: files in Node (node/snapshot-files.ts), IndexedDB in the lab app.
 * `load` re-reads the header; the body is checked when the snapshot is used.
 */
export interface SnapshotStore {
  list(): Promise<SnapshotInfo[]>;
  save(snapshot: Snapshot, id?: string): Promise<SnapshotInfo>;
  /** Throws `snapshot-corrupt` naming the id when there is none. */
  load(id: string): Promise<Snapshot>;
  delete(id: string): Promise<void>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A readable, file-safe id: the guest's name and the time of the snapshot. */
export function snapshotId(header: SnapshotHeader): string {
  const at = header.createdAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${header.spec.name}-${at}`;
}

export function checkSnapshotId(id: string): string {
  if (typeof id !== "string" || !ID.test(id))
    throw new HyperlabError(
      "invalid-spec",
      `"${String(id)}" is not a usable snapshot id: use letters, digits, dots, dashes or underscores.`,
      { field: "id" },
    );
  return id;
}

export function missingSnapshot(id: string, where: string): HyperlabError {
  return new HyperlabError("snapshot-corrupt", `There is no snapshot "${id}" in ${where}.`, { id });
}
