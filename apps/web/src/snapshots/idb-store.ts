import {
  checkSnapshotId,
  missingSnapshot,
  readSnapshot,
  snapshotId,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotStore,
} from "@hyperlab/core";

const DB = "hyperlab";
const STORE = "snapshots";

interface Row {
  id: string;
  bytes: Uint8Array;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

/** Snapshots in the browser's IndexedDB (database "hyperlab", store "snapshots", keyed by id). */
export class IndexedDbSnapshotStore implements SnapshotStore {
  private db?: Promise<IDBDatabase>;

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error("IndexedDB is not available"));
    });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }

  async list(): Promise<SnapshotInfo[]> {
    const rows = (await request((await this.store("readonly")).getAll())) as Row[];
    const infos: SnapshotInfo[] = [];
    for (const row of rows) {
      try {
        infos.push({ id: row.id, header: readSnapshot(row.bytes).header, size: row.bytes.length });
      } catch {
        // A damaged entry is left out of the list; loading it by id says why.
      }
    }
    return infos.sort((a, b) => a.header.createdAt.localeCompare(b.header.createdAt));
  }

  async save(snapshot: Snapshot, id = snapshotId(snapshot.header)): Promise<SnapshotInfo> {
    checkSnapshotId(id);
    await request((await this.store("readwrite")).put({ id, bytes: snapshot.bytes } satisfies Row));
    return { id, header: snapshot.header, size: snapshot.bytes.length };
  }

  async load(id: string): Promise<Snapshot> {
    const row = (await request((await this.store("readonly")).get(id))) as Row | undefined;
    if (!row) throw missingSnapshot(id, "this browser's storage");
    return readSnapshot(row.bytes);
  }

  async delete(id: string): Promise<void> {
    await request((await this.store("readwrite")).delete(id));
  }
}
