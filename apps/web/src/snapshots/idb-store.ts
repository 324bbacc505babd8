import {
  HyperlabError,
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

const unavailable = (why: unknown) =>
  new HyperlabError(
    "storage-unavailable",
    "This browser gives the page no storage for snapshots (IndexedDB is off, as in a private window); download a snapshot as a file to keep it.",
    { reason: "indexeddb", cause: String(why) },
  );

const full = (id: string, bytes: number) =>
  new HyperlabError(
    "storage-full",
    `The browser's storage for this site is full: snapshot "${id}" (${(bytes / 2 ** 20).toFixed(1)} MiB) was not saved; the snapshots saved before are kept. Delete some, or download this one as a file.`,
    { id, mib: Number((bytes / 2 ** 20).toFixed(1)) },
  );

/** A write the browser refused for lack of room (DOMException "QuotaExceededError"). */
const isQuota = (error: unknown) => (error as { name?: string } | undefined)?.name === "QuotaExceededError";

/** Snapshots in the browser's IndexedDB (database "hyperlab", store "snapshots", keyed by id). */
export class IndexedDbSnapshotStore implements SnapshotStore {
  private db?: Promise<IDBDatabase>;

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === "undefined") return reject(unavailable("no indexedDB"));
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(unavailable(req.error));
    });
    // A failure is not remembered: storage may come back (another window, a setting).
    this.db.catch(() => (this.db = undefined));
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
    try {
      const store = await this.store("readwrite");
      await new Promise<void>((resolve, reject) => {
        // The write counts once its transaction commits (a quota error can come at either point).
        store.transaction.oncomplete = () => resolve();
        store.transaction.onabort = () => reject(store.transaction.error);
        store.put({ id, bytes: snapshot.bytes } satisfies Row);
      });
    } catch (error) {
      throw isQuota(error) ? full(id, snapshot.bytes.length) : error;
    }
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
