import { HyperlabError } from "../errors.js";
import type { Host } from "../hosts/host.js";

/**
 * A host's memory (or all hosts' together) as admission counts it. `usedMiB` is what guests
 * hold of the budget: their RAM plus each one's host-side overhead (admission/overhead.ts), so
 * `freeMiB = budgetMiB - usedMiB` is what a new guest can still get, RAM and overhead together.
 */
export interface MemoryReport {
  /** Host memory lent to guests: real memory, which pays for their RAM and their overhead. */
  budgetMiB: number;
  /** Held by guests: `guestMiB + overheadMiB`. */
  usedMiB: number;
  freeMiB: number;
  /** Of `usedMiB`: the guests' RAM (less what their balloons gave back). */
  guestMiB: number;
  /** Of `usedMiB`: what running those guests costs the host beyond their RAM. */
  overheadMiB: number;
  /** Guests holding memory (one that is moving counts on both hosts). */
  guests: number;
  /** What each guest costs beyond its RAM on this platform. */
  overheadPerGuestMiB: number;
}

/**
 * One guest's memory on the ledger: what it holds on its host now (its RAM, less what its
 * balloon gave back, plus its overhead), and while it migrates, what it holds on the target
 * too. The guest holds the handle; only the ledger's owner (the hypervisor) makes them.
 */
export class Reservation {
  private ramMiB = 0;
  private holding = false;
  private moving?: { host: Host; mib: number };

  constructor(
    private readonly ledger: MemoryLedger,
    /** Who it is for, as errors name it. */
    readonly name: string,
    /** The guest's RAM when nothing is ballooned away. */
    readonly fullMiB: number,
    /** What the guest costs its host beyond its RAM while it holds memory. */
    readonly overheadMiB: number,
    private currentHost: Host,
  ) {}

  /** The host whose memory this is (it changes when a migration commits). */
  get host(): Host {
    return this.currentHost;
  }

  /** The guest's RAM held now (its overhead not included). */
  get mib(): number {
    return this.ramMiB;
  }

  /** RAM and overhead held now. */
  get totalMiB(): number {
    return this.holding ? this.ramMiB + this.overheadMiB : 0;
  }

  get held(): boolean {
    return this.holding;
  }

  /** The move under way, if any: memory (RAM) held on its target as well, with its overhead. */
  get incoming(): { host: Host; mib: number } | undefined {
    return this.moving;
  }

  /**
   * Holds `mib` of RAM on the host (the full amount by default), and the overhead with the
   * first hold. Growing is checked against the host's free memory and throws
   * `memory-over-budget`; shrinking always succeeds.
   */
  hold(mib = this.fullMiB): void {
    const ramMiB = Math.max(0, mib - this.ramMiB);
    const overheadMiB = this.holding ? 0 : this.overheadMiB;
    if (ramMiB + overheadMiB > 0) this.ledger.check(this.name, this.currentHost, { ramMiB, overheadMiB });
    this.ramMiB = mib;
    this.holding = true;
  }

  /** Gives everything back (the guest stopped, crashed or was terminated). */
  release(): void {
    this.ramMiB = 0;
    this.holding = false;
    this.moving = undefined;
  }

  /** Holds the same amount (RAM and overhead) on `target` until the move commits or is cancelled. */
  beginMove(target: Host): void {
    if (this.moving) throw new HyperlabError("invalid-state", `"${this.name}" is already moving.`);
    this.ledger.check(this.name, target, { ramMiB: this.ramMiB, overheadMiB: this.overheadMiB });
    this.moving = { host: target, mib: this.ramMiB };
  }

  /** The guest runs on the target now: its memory there is the one held. */
  commitMove(): void {
    if (!this.moving) return;
    this.currentHost = this.moving.host;
    this.moving = undefined;
  }

  cancelMove(): void {
    this.moving = undefined;
  }
}

/**
 * The hosts' memory: every guest's reservation, counted once, and admission against each host's
 * budget. A guest costs its RAM plus a per-platform overhead (admission/overhead.ts). The
 * overcommit policy is explicit: there is none.
 */
export class MemoryLedger {
  private readonly reservations = new Set<Reservation>();

  constructor(
    readonly hosts: readonly Host[],
    /** What every guest costs beyond its RAM. */
    readonly overheadMiB = 0,
  ) {}

  /** Reserves `mib` of RAM and the overhead for a new guest on `host`, or throws `memory-over-budget`. */
  admit(name: string, mib: number, host: Host): Reservation {
    const reservation = new Reservation(this, name, mib, this.overheadMiB, host);
    reservation.hold();
    this.reservations.add(reservation);
    return reservation;
  }

  /** Forgets a reservation for good (its guest was terminated). */
  remove(reservation: Reservation): void {
    reservation.release();
    this.reservations.delete(reservation);
  }

  /** Memory of all hosts together, or of one. */
  report(host?: Host): MemoryReport {
    let guestMiB = 0;
    let guests = 0;
    for (const r of this.reservations) {
      if (r.held && (!host || r.host === host)) {
        guestMiB += r.mib;
        guests++;
      }
      if (r.incoming && (!host || r.incoming.host === host)) {
        guestMiB += r.incoming.mib;
        guests++;
      }
    }
    const overheadMiB = guests * this.overheadMiB;
    const usedMiB = guestMiB + overheadMiB;
    const budgetMiB = host ? host.memoryBudgetMiB : this.hosts.reduce((sum, h) => sum + h.memoryBudgetMiB, 0);
    return {
      budgetMiB,
      usedMiB,
      freeMiB: budgetMiB - usedMiB,
      guestMiB,
      overheadMiB,
      guests,
      overheadPerGuestMiB: this.overheadMiB,
    };
  }

  /** The host with the most free memory (the first of equals). */
  roomiest(): Host {
    return this.hosts.reduce((best, h) => (this.report(h).freeMiB > this.report(best).freeMiB ? h : best));
  }

  /**
   * Where new guests of these RAM sizes would go if they were created now, one after another,
   * each as `create` places it (on `host`, or on the host with the most free memory then):
   * their hosts in order, up to the first guest that fits nowhere. Nothing is reserved.
   */
  place(memoryMiB: readonly number[], host?: Host): Host[] {
    const free = new Map(this.hosts.map((h) => [h, this.report(h).freeMiB]));
    const placed: Host[] = [];
    for (const mib of memoryMiB) {
      const cost = mib + this.overheadMiB;
      const target = host ?? this.hosts.reduce((best, h) => (free.get(h)! > free.get(best)! ? h : best));
      if (cost > free.get(target)!) break;
      free.set(target, free.get(target)! - cost);
      placed.push(target);
    }
    return placed;
  }

  /** Throws `memory-over-budget` unless `need` (RAM and overhead) more fit on `host`. */
  check(name: string, host: Host, need: { ramMiB: number; overheadMiB: number }): void {
    const mib = need.ramMiB + need.overheadMiB;
    const { usedMiB, freeMiB, budgetMiB } = this.report(host);
    if (mib <= freeMiB) return;
    const several = this.hosts.length > 1;
    const parts = need.overheadMiB > 0 ? ` (${need.ramMiB} MiB of RAM and ${need.overheadMiB} MiB to run it)` : "";
    throw new HyperlabError(
      "memory-over-budget",
      `Guest "${name}" needs ${mib} MiB${parts} but only ${freeMiB} MiB of ${several ? `${host.name}'s` : "the host's"} ${budgetMiB} MiB are free (${usedMiB} MiB in use).`,
      {
        guest: name,
        host: several ? host.name : undefined,
        memoryMiB: mib,
        ramMiB: need.ramMiB,
        overheadMiB: need.overheadMiB,
        usedMiB,
        freeMiB,
        budgetMiB,
      },
    );
  }
}
