import type { Disposable, GuestState, Hypervisor } from "@hyperlab/core";

export interface JournalEntry {
  at: number;
  guest: string;
  kind: "state" | "migrated" | "created" | "icmp";
  state?: GuestState;
  previous?: GuestState;
  /** For `migrated`: the target host's name. */
  to?: string;
  downtimeMs?: number;
  /** For `icmp`: source and destination address and the packet log's one-line info. */
  source?: string;
  destination?: string;
  info?: string;
}

const KEEP = 1000;

/**
 * What happened to the guests since the lessons were first opened: state changes, creations
 * and migrations, whoever caused them (a button, the console, a script). Checks that ask
 * "did A reboot while B kept running" read it.
 */
export class StateJournal {
  readonly entries: JournalEntry[] = [];
  private readonly subs: Disposable[];

  constructor(
    hv: Hypervisor,
    private readonly now: () => number = Date.now,
  ) {
    this.subs = [
      hv.on("guest:state", ({ guest, state, previous }) =>
        this.add({ guest: guest.name, kind: "state", state, previous }),
      ),
      hv.on("guest:created", (guest) => this.add({ guest: guest.name, kind: "created" })),
      hv.on("guest:migrated", ({ guest, to, downtimeMs }) =>
        this.add({ guest: guest.name, kind: "migrated", to, downtimeMs }),
      ),
    ];
    // Pings seen on the virtual switch (kept longer than its own short log).
    if (hv.network)
      this.subs.push(
        hv.network.on("network:packet", (p) => {
          if (p.protocol === "ICMP" && !p.dropped)
            this.add({ guest: p.port, kind: "icmp", source: p.source, destination: p.destination, info: p.info });
        }),
      );
  }

  add(entry: Omit<JournalEntry, "at">): void {
    this.entries.push({ at: this.now(), ...entry });
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
  }

  of(guest: string): JournalEntry[] {
    return this.entries.filter((e) => e.guest === guest);
  }

  /** The last time `guest` entered `state`, if it did. */
  lastEntered(guest: string, state: GuestState, after = 0): JournalEntry | undefined {
    const found = this.entries.filter(
      (e) => e.guest === guest && e.kind === "state" && e.state === state && e.at >= after,
    );
    return found.at(-1);
  }

  /** State changes of `guest` within [from, to]. */
  changesBetween(guest: string, from: number, to: number): JournalEntry[] {
    return this.entries.filter((e) => e.guest === guest && e.kind === "state" && e.at >= from && e.at <= to);
  }

  dispose(): void {
    for (const sub of this.subs) sub.dispose();
  }
}

const journals = new WeakMap<Hypervisor, StateJournal>();

/** One journal per hypervisor, started on first use and kept while the page lives. */
export function journalOf(hv: Hypervisor): StateJournal {
  let journal = journals.get(hv);
  if (!journal) journals.set(hv, (journal = new StateJournal(hv)));
  return journal;
}
