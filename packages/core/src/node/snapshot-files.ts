import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { checkSnapshotSize, readSnapshot, type Snapshot } from "../snapshot/format.js";
import {
  SNAPSHOT_EXTENSION,
  checkSnapshotId,
  missingSnapshot,
  snapshotId,
  type SnapshotInfo,
  type SnapshotStore,
} from "../snapshot/store.js";

/** Snapshots as files `<id>.hlsnap` in a folder (the CLI's store). Writes go through a temporary file. */
export class SnapshotFiles implements SnapshotStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private path(id: string): string {
    return join(this.dir, `${checkSnapshotId(id)}${SNAPSHOT_EXTENSION}`);
  }

  async list(): Promise<SnapshotInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const infos: SnapshotInfo[] = [];
    for (const name of names.filter((n) => n.endsWith(SNAPSHOT_EXTENSION)).sort()) {
      const id = name.slice(0, -SNAPSHOT_EXTENSION.length);
      try {
        const snapshot = await this.load(id);
        infos.push({ id, header: snapshot.header, size: snapshot.bytes.length });
      } catch {
        // A damaged file is skipped in the list; loading it by id says why.
      }
    }
    return infos;
  }

  async save(snapshot: Snapshot, id = snapshotId(snapshot.header)): Promise<SnapshotInfo> {
    const path = this.path(id);
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, snapshot.bytes);
    await rename(temporary, path);
    return { id, header: snapshot.header, size: (await stat(path)).size };
  }

  async load(id: string): Promise<Snapshot> {
    let size: number;
    try {
      size = (await stat(this.path(id))).size;
    } catch {
      throw missingSnapshot(id, this.dir);
    }
    // Before reading: a file larger than any snapshot is not read into memory to be refused.
    checkSnapshotSize(size);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(id));
    } catch {
      throw missingSnapshot(id, this.dir);
    }
    return readSnapshot(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }
}
