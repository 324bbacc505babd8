/**
 * The browser's snapshot storage when it fails: no IndexedDB at all (a private window), and a
 * write the quota refuses. Each is a sentence; what was stored before is kept. IndexedDB itself
 * is fake-indexeddb's, a full implementation in memory.
 */
import "fake-indexeddb/auto";
import { encodeSnapshot, type Snapshot } from "@hyperlab/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IndexedDbSnapshotStore } from "./idb-store";

async function snapshotOf(name: string): Promise<Snapshot> {
  return encodeSnapshot(new Uint8Array(4096).fill(name.length), {
    spec: {
      name,
      image: "linux",
      memoryMiB: 32,
      console: "both",
      net: "none",
      balloon: false,
      weight: 256,
      cap: 0,
      cmdline: "",
    },
    image: { id: "linux", sha256: "0".repeat(64) },
    guest: { readyConsoles: ["serial"], paused: false },
  });
}

afterEach(() => vi.restoreAllMocks());

describe("snapshots in IndexedDB", () => {
  it("keeps what was saved when the quota refuses the next one, and says so", async () => {
    const store = new IndexedDbSnapshotStore();
    await store.save(await snapshotOf("one"), "one");
    await store.save(await snapshotOf("two"), "two");
    // The next write is refused for lack of room, as a browser does at its quota.
    vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(function (this: IDBObjectStore) {
      const transaction = this.transaction;
      queueMicrotask(() => transaction.abort());
      Object.defineProperty(transaction, "error", { value: new DOMException("full", "QuotaExceededError") });
      return {} as IDBRequest<IDBValidKey>;
    });
    await expect(store.save(await snapshotOf("three"), "three")).rejects.toMatchObject({
      code: "storage-full",
      message: expect.stringContaining('snapshot "three"'),
    });
    vi.restoreAllMocks();
    expect((await store.list()).map((s) => s.id).sort()).toEqual(["one", "two"]);
    await expect(store.load("two")).resolves.toMatchObject({ header: { spec: { name: "two" } } });
  });

  it("says there is no storage when the browser gives none", async () => {
    vi.stubGlobal("indexedDB", undefined);
    try {
      const store = new IndexedDbSnapshotStore();
      await expect(store.list()).rejects.toMatchObject({ code: "storage-unavailable" });
      await expect(store.save(await snapshotOf("x"), "x")).rejects.toMatchObject({ code: "storage-unavailable" });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
