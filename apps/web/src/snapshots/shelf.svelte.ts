import {
  checkSnapshotSize,
  readSnapshot,
  snapshotId,
  type Guest,
  type MigrationReport,
  type SnapshotInfo,
  type SnapshotStore,
} from "@hyperlab/core";
import { shownError } from "../errors";
import type { Dashboard } from "../dashboard.svelte";

/**
 * The page's snapshots (kept in a SnapshotStore, IndexedDB in the browser) and its live
 * migrations: what the hosts view shows and does.
 */
export class SnapshotShelf {
  list = $state.raw<SnapshotInfo[]>([]);
  /** What is being done now (a guest name or snapshot id), to disable its buttons. */
  busy = $state<string | undefined>();
  /** The last migration of each guest (by id). */
  migrations = $state.raw<Record<string, MigrationReport>>({});

  constructor(
    private readonly dashboard: Dashboard,
    private readonly store: SnapshotStore,
  ) {
    dashboard.hv.on("guest:migrated", ({ guest, ...report }) => {
      this.migrations = { ...this.migrations, [guest.id]: report };
    });
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.store.list();
    } catch (error) {
      this.dashboard.notify(shownError(error));
    }
  }

  private async run(what: string, action: () => Promise<unknown>, guestName?: string): Promise<void> {
    this.busy = what;
    try {
      await action();
    } catch (error) {
      this.dashboard.notify(shownError(error), guestName);
    } finally {
      this.busy = undefined;
    }
  }

  take(guest: Guest): Promise<void> {
    return this.run(
      guest.name,
      async () => {
        await this.store.save(await guest.snapshot());
        await this.refresh();
      },
      guest.name,
    );
  }

  restore(id: string, guest: Guest): Promise<void> {
    return this.run(id, async () => guest.restore(await this.store.load(id)), guest.name);
  }

  clone(id: string): Promise<void> {
    return this.run(id, async () => {
      const guest = await this.dashboard.hv.clone(await this.store.load(id));
      this.dashboard.openConsole(guest.id);
    });
  }

  migrate(guest: Guest, host: string): Promise<void> {
    return this.run(guest.name, () => guest.migrate(host), guest.name);
  }

  remove(id: string): Promise<void> {
    return this.run(id, async () => {
      await this.store.delete(id);
      await this.refresh();
    });
  }

  /** Saves the snapshot as a file `<id>.hlsnap`. */
  download(id: string): Promise<void> {
    return this.run(id, async () => {
      const { bytes } = await this.store.load(id);
      const url = URL.createObjectURL(
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
      );
      const a = document.createElement("a");
      a.href = url;
      a.download = `${id}.hlsnap`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }

  /** Reads a snapshot file; a damaged one is refused with its sentence before it is stored. */
  upload(file: File): Promise<void> {
    return this.run(file.name, async () => {
      checkSnapshotSize(file.size); // before reading it into memory
      const snapshot = readSnapshot(new Uint8Array(await file.arrayBuffer()));
      await this.store.save(snapshot, snapshotId(snapshot.header));
      await this.refresh();
    });
  }
}

const shelves = new WeakMap<Dashboard, SnapshotShelf>();

/** The page's one shelf (it outlives the view, so migrations stay listed). */
export function shelfOf(dashboard: Dashboard, store: () => SnapshotStore): SnapshotShelf {
  let shelf = shelves.get(dashboard);
  if (!shelf) {
    shelf = new SnapshotShelf(dashboard, store());
    shelves.set(dashboard, shelf);
  }
  return shelf;
}
