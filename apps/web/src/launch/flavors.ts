import {
  flavorSize,
  type ConsoleChoice,
  type Flavor,
  type GuestSpec,
  type NicModel,
  type UserImage,
} from "@hyperlab/core";

/**
 * Sizes offered at launch, like a cloud's flavors (the core's Flavor, as lab files declare
 * them), each with its weight and cap spelled out so the dialog can show them.
 */
export const FLAVORS: readonly Required<Flavor>[] = [
  { name: "nano", memoryMiB: 32, weight: 256, cap: 0 },
  { name: "micro", memoryMiB: 64, weight: 512, cap: 0 },
  { name: "small", memoryMiB: 128, weight: 1024, cap: 0 },
];

/** How devices reach the guest: emulated hardware, virtio, or both consoles to compare. */
export type DeviceModel = "full" | "paravirtual" | "both";

export const DEVICE_MODELS: Record<DeviceModel, { console: ConsoleChoice; net: NicModel; balloon: boolean }> = {
  full: { console: "serial", net: "ne2k", balloon: false },
  paravirtual: { console: "virtio", net: "virtio", balloon: true },
  both: { console: "both", net: "virtio", balloon: false },
};

/** What the launch dialog starts with (and what the page gets ready for at load). */
export const DEFAULT_MODEL: DeviceModel = "full";

/** At most this many guests in one launch; how many fit is the hosts' memory's to say (see admission.ts). */
export const MAX_LAUNCH_COUNT = 64;

/** The first `vm-N` not taken. */
export function nextAutoName(taken: Iterable<string>, prefix = "vm"): string {
  const names = new Set(taken);
  for (let n = 1; ; n++) if (!names.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

/**
 * Names for `count` guests launched at once: the name itself for one; for several, the
 * name numbered (`web-1`, `web-2`, …), skipping names already taken. An auto name like
 * `vm-3` continues its own numbering (`vm-3`, `vm-4`, …).
 */
export function launchNames(name: string, count: number, taken: Iterable<string>): string[] {
  if (count <= 1) return [name];
  const names = new Set(taken);
  const auto = /^(.*)-(\d+)$/.exec(name);
  const prefix = auto ? auto[1] : name;
  let n = auto ? Number(auto[2]) : 1;
  const result: string[] = [];
  while (result.length < count) {
    const candidate = `${prefix}-${n++}`;
    if (!names.has(candidate)) result.push(candidate);
  }
  return result;
}

/** A launch form's choices as a core GuestSpec. */
export function specFor(choice: {
  name: string;
  image: string | UserImage;
  flavor: Flavor;
  model: DeviceModel;
}): GuestSpec {
  const devices = DEVICE_MODELS[choice.model];
  return {
    name: choice.name,
    image: choice.image,
    ...flavorSize(choice.flavor),
    console: devices.console,
    net: devices.net,
    balloon: devices.balloon,
  };
}
