import { HyperlabError } from "../errors.js";
import type { ChannelFactory } from "../worker/channel.js";

/**
 * A host a guest runs on: a named set of workers with its own memory budget. In a browser or
 * one Node process, hosts share the CPU; what they model is placement and live migration
 * between machines (libvirt `virsh migrate --live`), with admission on the target.
 */
export interface Host {
  readonly id: string;
  readonly name: string;
  readonly memoryBudgetMiB: number;
  /** Makes a worker for a guest on this host. */
  readonly channel: ChannelFactory;
}

export interface HostSpec {
  /** Short id, e.g. "a"; defaults to the host's position ("a", "b", …). */
  id?: string;
  name?: string;
  memoryBudgetMiB: number;
  /** Defaults to the hypervisor's channel. */
  channel?: ChannelFactory;
}

/** What a migration measured; also emitted as `guest:migrated`. */
export interface MigrationReport {
  from: string;
  to: string;
  /** From pausing the source to the target running: the time the guest could not run. */
  downtimeMs: number;
  /** From the migrate call to the old worker's end (includes preparing the target). */
  totalMs: number;
  /** Machine state copied from the source worker to the target. */
  bytes: number;
}

export function makeHosts(specs: readonly HostSpec[], channel: ChannelFactory): Host[] {
  if (specs.length === 0) throw new HyperlabError("invalid-spec", "A hypervisor needs at least one host.");
  const hosts = specs.map((spec, i) => {
    const id = spec.id ?? String.fromCharCode(97 + i);
    if (!Number.isInteger(spec.memoryBudgetMiB) || spec.memoryBudgetMiB < 0)
      throw new HyperlabError("invalid-spec", `Host ${id} needs a memory budget in whole MiB.`);
    return {
      id,
      name: spec.name ?? `Host ${id.toUpperCase()}`,
      memoryBudgetMiB: spec.memoryBudgetMiB,
      channel: spec.channel ?? channel,
    };
  });
  if (new Set(hosts.map((h) => h.id)).size !== hosts.length)
    throw new HyperlabError("invalid-spec", "Two hosts have the same id.");
  return hosts;
}

/** A host by id or name; throws `invalid-spec` naming the hosts there are. */
export function findHost(hosts: readonly Host[], idOrName: string): Host {
  const host = hosts.find((h) => h.id === idOrName || h.name === idOrName);
  if (!host)
    throw new HyperlabError(
      "invalid-spec",
      `There is no host "${idOrName}"; the hosts are ${hosts.map((h) => h.name).join(", ")}.`,
      { field: "host" },
    );
  return host;
}
