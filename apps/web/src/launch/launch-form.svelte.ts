import type { Guest, LoadProgress, UserImage } from "@hyperlab/core";
import { shownError, type ShownError } from "../errors";
import type { Dashboard } from "../dashboard.svelte";
import { launchFit, launchRefusal, type LaunchFit } from "./admission";
import {
  DEFAULT_MODEL,
  DEVICE_MODELS,
  FLAVORS,
  MAX_LAUNCH_COUNT,
  launchNames,
  nextAutoName,
  specFor,
  type DeviceModel,
} from "./flavors";

export type ImageChoice = "catalog" | "file";

/** The launch dialog's choices and what it is doing (loading images, creating guests, an error). */
export class LaunchForm {
  source = $state<ImageChoice>("catalog");
  imageId = $state("");
  file = $state.raw<File | undefined>();
  flavorName = $state(FLAVORS[0].name);
  model = $state<DeviceModel>(DEFAULT_MODEL);
  name = $state("vm-1");
  count = $state(1);
  /** Start from the image's ready snapshot when one fits (else a cold boot). */
  instant = $state(true);
  busy = $state(false);
  /** Bytes of image files loaded so far, over all files of this launch. */
  progress = $state.raw<{ file: string; loaded: number; total: number } | undefined>();
  creating = $state<string | undefined>();
  error = $state<ShownError | undefined>();

  readonly flavor = $derived(FLAVORS.find((f) => f.name === this.flavorName) ?? FLAVORS[0]);

  /** The count asked for, as a launch reads it (a whole number from 1 to MAX_LAUNCH_COUNT). */
  get launchCount(): number {
    return Math.min(MAX_LAUNCH_COUNT, Math.max(1, Math.floor(this.count) || 1));
  }

  /**
   * How many of the guests asked for fit now (memory with overhead, addresses), read again
   * whenever the dashboard's memory or guests change.
   */
  fitOn(dashboard: Dashboard): LaunchFit {
    void dashboard.memory;
    void dashboard.guests.length;
    const withNic = DEVICE_MODELS[this.model].net !== "none";
    return launchFit(dashboard.hv, this.launchCount, this.flavor.memoryMiB, withNic);
  }

  /** Fresh defaults each time the dialog opens; the image and flavor choices stay. */
  prepare(dashboard: Dashboard): void {
    this.name = nextAutoName(dashboard.guests.map((g) => g.name));
    this.count = 1;
    this.error = undefined;
    this.progress = undefined;
    this.creating = undefined;
    if (!dashboard.images.some((i) => i.id === this.imageId)) this.imageId = dashboard.images[0]?.id ?? "";
  }

  private async image(): Promise<string | UserImage> {
    if (this.source === "catalog") return this.imageId;
    if (!this.file) throw Object.assign(new Error("Choose a file to boot first."), { code: "invalid-spec" });
    return { name: this.file.name, bytes: new Uint8Array(await this.file.arrayBuffer()) };
  }

  /**
   * Creates the guests (hv.create, which loads and checks the image) and starts them, or, when
   * they do not all fit, refuses the launch whole before creating any. Resolves true when every
   * guest was created; start failures become notices on the page.
   */
  async submit(dashboard: Dashboard): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = undefined;
    const created: Guest[] = [];
    try {
      const count = this.launchCount;
      const refusal = launchRefusal(this.fitOn(dashboard));
      if (refusal) throw refusal;
      const names = launchNames(
        this.name.trim(),
        count,
        dashboard.guests.map((g) => g.name),
      );
      const image = await this.image();
      // Bytes per file of this launch (not reactive: only the sum is shown).
      const files: Record<string, LoadProgress> = {};
      for (const name of names) {
        this.creating = name;
        const spec = specFor({ name, image, flavor: this.flavor, model: this.model });
        created.push(
          await dashboard.hv.create(spec, (p) => {
            files[p.file] = p;
            const all = Object.values(files);
            this.progress = {
              file: p.file,
              loaded: all.reduce((s, f) => s + f.loaded, 0),
              total: all.reduce((s, f) => s + f.total, 0),
            };
          }),
        );
      }
    } catch (error) {
      this.error = shownError(error);
    } finally {
      this.busy = false;
      this.creating = undefined;
    }
    for (const guest of created) {
      if (dashboard.openConsoles.length < 4) dashboard.openConsole(guest.id);
      const start = this.instant && this.source === "catalog" ? dashboard.hv.startInstant(guest) : guest.start();
      start.catch((error: unknown) => dashboard.notify(shownError(error), guest.name));
    }
    return this.error === undefined;
  }
}
