import { GUEST_OVERHEAD_MIB } from "@hyperlab/core";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../dashboard.svelte";
import { errorSentence } from "../errors";
import { en, type MessageKey } from "../i18n/en";
import { format } from "../i18n/format";
import { ru } from "../i18n/ru";
import { createdOnlyHypervisor } from "../testing/hypervisor";
import { launchFit, launchRefusal } from "./admission";
import { LaunchForm } from "./launch-form.svelte";

const OVERHEAD = GUEST_OVERHEAD_MIB.browser;
const inRussian = (key: MessageKey, params?: Record<string, string | number>) => format(ru[key], params);
const inEnglish = (key: MessageKey, params?: Record<string, string | number>) => format(en[key], params);

let dashboard: Dashboard | undefined;
afterEach(() => dashboard?.dispose());

describe("launching several guests at once", () => {
  it("says up front how many fit, with each guest's overhead, on both hosts", async () => {
    // The app's two hosts, 512 MiB each: a nano guest (32 MiB) takes 32 + the overhead.
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 512 }, { memoryBudgetMiB: 512 }]);
    const perHost = Math.floor(512 / (32 + OVERHEAD));
    const fit = launchFit(hv, 40, 32);
    expect(fit).toMatchObject({
      count: 40,
      fit: 2 * perHost,
      limit: "memory",
      perGuestMiB: 32 + OVERHEAD,
      overheadMiB: OVERHEAD,
      freeMiB: 1024,
      addressesLeft: 245,
    });
    expect(launchFit(hv, 2 * perHost, 32).limit).toBeUndefined();
    const refusal = launchRefusal(fit)!;
    expect(refusal).toMatchObject({
      code: "memory-over-budget",
      details: { reason: "launch-memory", fit: 2 * perHost },
    });
    expect(errorSentence(refusal, inEnglish)).toBe(refusal.message);
    expect(errorSentence(refusal, inRussian)).toBe(
      `Поместятся только ${2 * perHost} из 40 машин: каждой нужно ${32 + OVERHEAD} МиБ (32 МиБ ОЗУ и ${OVERHEAD} МиБ на её работу), а свободно 1024 МиБ.`,
    );
  });

  it("counts the addresses left on the default segment too", async () => {
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 100_000 }]);
    for (let i = 0; i < 240; i++) await hv.create({ image: "linux", name: `g${i}`, net: "ne2k" });
    const fit = launchFit(hv, 8, 32);
    expect(fit).toMatchObject({ fit: 5, limit: "addresses", addressesLeft: 5, segment: "default" });
    const refusal = launchRefusal(fit)!;
    expect(refusal.code).toBe("segment-full");
    expect(errorSentence(refusal, inEnglish)).toBe('Only 5 of 8 guests fit: segment "default" has 5 addresses left.');
    // Guests without a NIC need no address.
    expect(launchFit(hv, 8, 32, false)).toMatchObject({ fit: 8, limit: undefined });
  });

  it("refuses a launch that does not fit whole before creating any guest", async () => {
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 512 }, { memoryBudgetMiB: 512 }]);
    dashboard = new Dashboard(hv);
    const form = new LaunchForm();
    form.prepare(dashboard);
    form.imageId = "linux";
    form.count = 40;
    expect(form.fitOn(dashboard).fit).toBeLessThan(40);
    expect(await form.submit(dashboard)).toBe(false);
    expect(hv.guests).toHaveLength(0);
    expect(form.error).toMatchObject({ code: "memory-over-budget", details: { reason: "launch-memory", count: 40 } });
  });
});
