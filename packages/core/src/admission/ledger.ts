import { HyperlabError } from "../errors.js";
import type { Host } from "../hosts/host.js";

export interface MemoryReport {
  budgetMiB: number;
  usedMiB: number;
  freeMiB: number;
}

/**
 * One guest's memory on the ledger: what it holds on its host now (its RAM, less what its
 * balloon gave back), and while it migrates, what it holds on the target too. The guest holds
 * the handle; only the ledger's owner (the hypervisor) makes them.
 */
export class Reservation {
  private heldMiB = 0;
  private moving?: { host: Host; mib: number };

  constructor(
    private readonly ledger: MemoryLedger,
    /** Who it is for, as errors name it. */
    readonly name: string,
    /** What the guest holds when nothing is ballooned away. */
    readonly fullMiB: number,
    private currentHost: Host,
  ) {}

  /** The host whose memory this is (it changes when a migration commits). */
  get host(): Host {
    return this.currentHost;
  }

  get mib(): number {
    return this.heldMiB;
  }

  get held(): boolean {
    return this.heldMiB > 0;
  }

  /** The move under way, if any: memory held on its target as well. */
  get incoming(): { host: Host; mib: number } | undefined {
    return this.moving;
  }

  /**
   * Holds `mib` on the host (the full amount by default). Growing is checked against the
   * host's free memory and throws `memory-over-budget`; shrinking always succeeds.
   */
  hold(mib = this.fullMiB): void {
    if (mib > this.heldMiB) this.ledger.check(this.name, mib - this.heldMiB, this.currentHost);
    this.heldMiB = mib;
  }

  /** Gives everything back (the guest stopped, crashed or was terminated). */
  release(): void {
    this.heldMiB = 0;
    this.moving = undefined;
  }

  /** Holds the same amount on `target` until the move commits or is cancelled. */
  beginMove(target: Host): void {
    if (this.moving) throw new HyperlabError("invalid-state", `"${this.name}" is already moving.`);
    this.ledger.check(this.name, this.heldMiB, target);
    this.moving = { host: target, mib: this.heldMiB };
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
 * budget. The overcommit policy is explicit: there is none.
 */
export class MemoryLedger {
  private readonly reservations = new Set<Reservation>();

  constructor(readonly hosts: readonly Host[]) {}

  /** Reserves `mib` for a new guest on `host`, or throws `memory-over-budget`. */
  admit(name: string, mib: number, host: Host): Reservation {
    const reservation = new Reservation(this, name, mib, host);
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
    let usedMiB = 0;
    for (const r of this.reservations) {
      if (!host || r.host === host) usedMiB += r.mib;
      if (r.incoming && (!host || r.incoming.host === host)) usedMiB += r.incoming.mib;
    }
    const budgetMiB = host ? host.memoryBudgetMiB : this.hosts.reduce((sum, h) => sum + h.memoryBudgetMiB, 0);
    return { budgetMiB, usedMiB, freeMiB: budgetMiB - usedMiB };
  }

  /** The host with the most free memory (the first of equals). */
  roomiest(): Host {
    return this.hosts.reduce((best, h) => (this.report(h).freeMiB > this.report(best).freeMiB ? h : best));
  }

  /** Throws `memory-over-budget` unless `mib` more fit on `host`. */
  check(name: string, mib: number, host: Host): void {
    const { usedMiB, freeMiB, budgetMiB } = this.report(host);
    if (mib <= freeMiB) return;
    const several = this.hosts.length > 1;
    throw new HyperlabError(
      "memory-over-budget",
      `Guest "${name}" needs ${mib} MiB but only ${freeMiB} MiB of ${several ? `${host.name}'s` : "the host's"} ${budgetMiB} MiB are free (${usedMiB} MiB in use).`,
      { guest: name, host: several ? host.name : undefined, memoryMiB: mib, usedMiB, freeMiB, budgetMiB },
    );
  }
}
