import type { Hypervisor } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { guestsRunning, median } from "./checks";
import { PLATFORMS, sortPlatforms } from "./platforms";

const hv = (guests: { name: string; state: string; ready?: boolean }[]) =>
  ({ guests: guests.map((g) => ({ ...g, isReady: () => g.ready ?? true })) }) as unknown as Hypervisor;

describe("guestsRunning", () => {
  it("fails and names the guests that are missing or not running", () => {
    expect(guestsRunning(hv([]), ["alpha"]).message.en).toMatch(/No guest named alpha/);
    const booting = guestsRunning(hv([{ name: "alpha", state: "booting", ready: false }]), ["alpha"]);
    expect(booting.status).toBe("fail");
    expect(booting.message.en).toMatch(/alpha \(booting\)/);
    expect(guestsRunning(hv([{ name: "alpha", state: "running" }]), ["alpha"]).status).toBe("pass");
  });
});

describe("median and sorting", () => {
  it("takes the middle value", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it("sorts platforms by a column, ties in the lecture's order", () => {
    expect(sortPlatforms(PLATFORMS, "cost", "ascending").map((p) => p.id)).toEqual([
      "kvm",
      "xen",
      "hyper-v",
      "vsphere",
    ]);
    expect(sortPlatforms(PLATFORMS, "stability", "descending").map((p) => p.id)).toEqual([
      "vsphere",
      "xen",
      "hyper-v",
      "kvm",
    ]);
    expect(sortPlatforms(PLATFORMS, "name", "ascending")[0].id).toBe("kvm");
  });
});
