import { DEFAULT_WEIGHT, validateSpec, type GuestSpec } from "../spec.js";

/**
 * A named size, like a cloud's flavor (instance type): memory plus CPU weight and cap. A lab
 * file declares its own; the web app offers a fixed list at launch. Without a weight or cap
 * a flavor means the hypervisor's defaults (weight 256, no cap).
 */
export interface Flavor {
  name: string;
  memoryMiB: number;
  /** Proportional CPU share; 256 is the hypervisor's default. */
  weight?: number;
  /** % of one host core; 0 = no cap. */
  cap?: number;
}

/** The guest spec fields a flavor sets (only those it names). */
export function flavorSize(flavor: Flavor): Pick<GuestSpec, "memoryMiB" | "weight" | "cap"> {
  const { name: _name, ...size } = flavor;
  return size;
}

/**
 * Checks a flavor's size by the guest spec's own rules (memory a power of two within the
 * maximum, weight 1–65535, cap 0–100), so a flavor no guest could have is refused even
 * while no guest uses it. Throws the spec's HyperlabError.
 */
export function checkFlavor(flavor: Flavor): void {
  validateSpec({ image: "flavor", ...flavorSize(flavor) });
}

/** The flavor whose size and CPU settings a guest has, if any. */
export function flavorOf<F extends Flavor>(
  flavors: readonly F[],
  spec: { memoryMiB: number; weight: number; cap: number },
): F | undefined {
  return flavors.find(
    (f) => f.memoryMiB === spec.memoryMiB && (f.weight ?? DEFAULT_WEIGHT) === spec.weight && (f.cap ?? 0) === spec.cap,
  );
}
