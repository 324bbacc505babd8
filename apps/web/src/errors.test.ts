import {
  ALLOWED,
  HyperlabError,
  Network,
  assertAllowed,
  assertCompatible,
  checkSpecAgainstImage,
  checkUserImage,
  parseLab,
  readSnapshot,
  validateSpec,
  type GuestAction,
  type GuestState,
} from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { errorSentence, shownError } from "./errors";
import { en, type MessageKey } from "./i18n/en";
import { format } from "./i18n/format";
import { ru } from "./i18n/ru";
import { createdOnlyHypervisor } from "./testing/hypervisor";

const inRussian = (key: MessageKey, params?: Record<string, string | number>) => format(ru[key], params);
const inEnglish = (key: MessageKey, params?: Record<string, string | number>) => format(en[key], params);

/** What the core throws from `run`. */
function thrown(run: () => unknown): ReturnType<typeof shownError> {
  try {
    run();
  } catch (error) {
    return shownError(error);
  }
  throw new Error("nothing was thrown");
}

describe("error sentences", () => {
  it("translate the core's errors from their details", () => {
    const power = thrown(() => validateSpec({ image: "linux", memoryMiB: 48 }));
    expect(errorSentence(power, inRussian)).toBe(
      "Объём памяти должен быть степенью двойки (16, 32, 64, 128, … МиБ); 48 МиБ — не степень двойки.",
    );
    // The English template says what the core says.
    expect(errorSentence(power, inEnglish)).toBe(power.message);

    const small = thrown(() =>
      checkSpecAgainstImage(validateSpec({ image: "linux", memoryMiB: 16 }), {
        id: "linux",
        minMemoryMiB: 32,
        defaultMemoryMiB: 32,
      }),
    );
    expect(errorSentence(small, inRussian)).toBe("Образу «linux» нужно не меньше 32 МиБ, а запрошено 16 МиБ.");
    expect(errorSentence(small, inEnglish)).toBe(small.message);

    const state = thrown(() => assertAllowed("pause", "paused", "vm-1"));
    expect(errorSentence(state, inRussian)).toBe(
      "Нельзя приостановить: машина «vm-1» сейчас в состоянии «на паузе»; это можно в состояниях: работает.",
    );
  });

  it("say every action of a guest in both languages when its state refuses it", () => {
    for (const action of Object.keys(ALLOWED) as GuestAction[]) {
      const refused = thrown(() => assertAllowed(action, "terminated", "vm-1"));
      for (const t of [inEnglish, inRussian]) expect(errorSentence(refused, t), action).not.toMatch(/verb\.|state\./);
    }
    const sentences = (action: GuestAction, state: GuestState) => {
      const refused = thrown(() => assertAllowed(action, state, "vm-1"));
      return [errorSentence(refused, inEnglish), errorSentence(refused, inRussian)];
    };
    expect(sentences("waitReady", "stopped")).toEqual([
      'Cannot wait for guest "vm-1" while it is stopped; that works when it is booting, running, paused, rebooting.',
      "Нельзя дождаться готовности: машина «vm-1» сейчас в состоянии «остановлена»; это можно в состояниях: загружается, работает, на паузе, перезагружается.",
    ]);
    expect(sentences("snapshot", "created")).toEqual([
      'Cannot take a snapshot of guest "vm-1" while it is created; that works when it is booting, running, paused.',
      "Нельзя сделать снимок: машина «vm-1» сейчас в состоянии «создана»; это можно в состояниях: загружается, работает, на паузе.",
    ]);
    expect(sentences("restore", "stopped")[0]).toBe(
      'Cannot restore a snapshot into guest "vm-1" while it is stopped; that works when it is booting, running, paused.',
    );
    expect(sentences("migrate", "rebooting")).toEqual([
      'Cannot migrate guest "vm-1" while it is rebooting; that works when it is booting, running, paused.',
      "Нельзя перенести на другой хост: машина «vm-1» сейчас в состоянии «перезагружается»; это можно в состояниях: загружается, работает, на паузе.",
    ]);
    expect(sentences("balloon", "crashed")[1]).toBe(
      "Нельзя изменить balloon: машина «vm-1» сейчас в состоянии «сбой»; это можно в состояниях: загружается, работает, на паузе.",
    );
    expect(sentences("quota", "terminated")[0]).toMatch(
      /^Cannot change the CPU weight or cap of guest "vm-1" while it is terminated; that works when it is created, /,
    );
  });

  it("translate admission and crash sentences", () => {
    const budget = shownError(
      new HyperlabError("memory-over-budget", "…", {
        guest: "big",
        host: "Host B",
        memoryMiB: 512,
        usedMiB: 960,
        freeMiB: 64,
        budgetMiB: 1024,
      }),
    );
    expect(errorSentence(budget, inRussian)).toBe(
      "Машине «big» нужно 512 МиБ, а из 1024 МиБ хоста Host B свободно только 64 МиБ (занято 960 МиБ).",
    );
  });

  it("translate by the reason the core gives: images that do not boot, damaged snapshots", () => {
    const notes = thrown(() => checkUserImage("notes.txt", new TextEncoder().encode("my notes, not a kernel\n")));
    expect(errorSentence(notes, inRussian)).toBe(
      "notes.txt — не загрузочный образ: это не ядро Linux (bzImage), не образ компакт-диска ISO 9660 и не диск с загрузочным сектором.",
    );
    expect(errorSentence(notes, inEnglish)).toBe(notes.message);
    const empty = thrown(() => checkUserImage("empty.iso", new Uint8Array(0)));
    expect(errorSentence(empty, inRussian)).toBe("Файл empty.iso пуст.");
    const junk = thrown(() => readSnapshot(new TextEncoder().encode("PK\u0003\u0004 not a snapshot")));
    expect(errorSentence(junk, inRussian)).toBe("Это не снимок Hyperlab: файл не начинается с метки снимка (HLSNAP).");
    expect(errorSentence(junk, inEnglish)).toBe(junk.message);
  });

  it("translate the settings a user types: a guest's name, weight and cap", () => {
    const name = thrown(() => validateSpec({ image: "linux", name: "my vm" }));
    expect(errorSentence(name, inRussian)).toBe(
      "«my vm» не годится как имя машины: нужно от 1 до 63 латинских букв, цифр, точек, дефисов или подчёркиваний.",
    );
    expect(errorSentence(name, inEnglish)).toBe(name.message);
    const weight = thrown(() => validateSpec({ image: "linux", weight: 0 }));
    expect(errorSentence(weight, inRussian)).toBe("Вес — целое число от 1 до 65535, а не 0.");
    expect(errorSentence(weight, inEnglish)).toBe(weight.message);
    const cap = thrown(() => validateSpec({ image: "linux", cap: 150 }));
    expect(errorSentence(cap, inRussian)).toBe("Предел — процент одного ядра от 0 (без предела) до 100, а не 150.");
    // A rule the page has no sentence for keeps the core's.
    const consoleKind = thrown(() => validateSpec({ image: "linux", console: "vga" as never }));
    expect(errorSentence(consoleKind, inRussian)).toBe(consoleKind.message);
  });

  it("translate a taken guest name, a bad segment name and a snapshot that does not fit", async () => {
    const hv = createdOnlyHypervisor();
    await hv.create({ image: "linux", name: "vm-1" });
    let taken: ReturnType<typeof shownError> | undefined;
    await hv.create({ image: "linux", name: "vm-1" }).catch((error: unknown) => (taken = shownError(error)));
    expect(errorSentence(taken!, inRussian)).toBe("Гость с именем «vm-1» уже есть.");
    expect(errorSentence(taken!, inEnglish)).toBe(taken!.message);

    const segment = thrown(() => new Network().defineSegment("lab net"));
    expect(errorSentence(segment, inRussian)).toMatch(/^«lab net» не годится как имя сегмента/);
    expect(errorSentence(segment, inEnglish)).toBe(segment.message);

    const header = (spec: object, sha = "a".repeat(64)) =>
      ({
        spec: { name: "snap", image: "linux", memoryMiB: 32, console: "serial", net: "ne2k", balloon: false, ...spec },
        image: { id: "linux", sha256: sha },
      }) as never;
    const target = {
      name: "vm-2",
      spec: { image: "linux", memoryMiB: 32, console: "serial", net: "ne2k", balloon: false },
    } as const;
    const cases: [object, string, RegExp][] = [
      [header({ memoryMiB: 64 }), "memory", /^У снимка «snap» 64 МиБ памяти, а у гостя «vm-2» — 32 МиБ\.$/],
      [
        header({ console: "virtio", net: "virtio", balloon: true }),
        "devices",
        /\(virtio \+ virtio \+ balloon\), чем у гостя «vm-2» \(serial \+ ne2k\)/,
      ],
      [header({ image: "other" }), "image", /образа «other», а гость «vm-2» работает на образе «linux»/],
      [
        header({}, "b".repeat(64)),
        "build",
        /другой сборки образа «linux» \(sha256 bbbbbbbbbbbb…, в каталоге aaaaaaaaaaaa…\)/,
      ],
    ];
    for (const [snapshot, reason, russian] of cases) {
      const error = thrown(() => assertCompatible(snapshot as never, { ...target, imageSha256: "a".repeat(64) }));
      expect(error.details?.reason).toBe(reason);
      expect(errorSentence(error, inRussian)).toMatch(russian);
      expect(errorSentence(error, inEnglish)).toBe(error.message);
    }
  });

  it("translate a crash, whose reason is v86's own words", () => {
    const crash = shownError(
      new HyperlabError("guest-crashed", 'Guest "vm-1" crashed: Unimplemented: #GP handler', {
        guest: "vm-1",
        reason: "Unimplemented: #GP handler",
        lastLines: ["Booting the kernel."],
      }),
    );
    expect(errorSentence(crash, inRussian)).toBe("Машина «vm-1» аварийно остановилась: Unimplemented: #GP handler");
    expect(errorSentence(crash, inEnglish)).toBe(crash.message);
  });

  it("translate admission with overhead: a guest, a lab, a full segment", async () => {
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 100 }]);
    let refused: ReturnType<typeof shownError> | undefined;
    await hv.create({ image: "linux", name: "big", memoryMiB: 64 }).catch((e: unknown) => (refused = shownError(e)));
    const overhead = hv.guestOverheadMiB;
    expect(errorSentence(refused!, inEnglish)).toBe(refused!.message);
    expect(errorSentence(refused!, inRussian)).toBe(
      `Машине «big» нужно ${64 + overhead} МиБ (64 МиБ ОЗУ и ${overhead} МиБ на её работу), а из 100 МиБ хоста свободно только 100 МиБ (занято 0 МиБ).`,
    );

    const guests = Array.from({ length: 300 }, (_, i) => ({
      name: `g${i}`,
      image: "linux",
      net: "ne2k",
      segment: "lan",
    }));
    const lab = thrown(() =>
      parseLab(JSON.stringify({ version: 1, name: "big", segments: [{ name: "lan" }], guests }), "big.lab.json"),
    );
    expect(lab.code).toBe("segment-full");
    expect(errorSentence(lab, inRussian)).toBe(
      "big.lab.json: в сегменте «lan» адресов хватает на 245 машин, а в нём оказалось бы 300; дайте ему подсеть побольше или разделите машины между сегментами.",
    );

    // A /28 has addresses for five guests (.10 to .14); the sixth is refused.
    const small = createdOnlyHypervisor([{ memoryBudgetMiB: 10_000 }]);
    small.network.defineSegment("tiny", "10.0.9.0/28");
    let full: ReturnType<typeof shownError> | undefined;
    for (let i = 1; i <= 6 && !full; i++)
      await small
        .create({ image: "linux", name: `vm-${i}`, net: "ne2k" }, undefined, { segment: "tiny" })
        .catch((e: unknown) => (full = shownError(e)));
    expect(full!.code).toBe("segment-full");
    expect(errorSentence(full!, inRussian)).toBe(
      "В сегменте «tiny» (10.0.9.0/28) не осталось адреса для машины «vm-6»: все 5 адресов для машин заняты машинами в нём.",
    );
  });

  it("fall back to the core's sentence when the details do not fit", () => {
    const bare = shownError(new HyperlabError("memory-over-budget", "Guest needs more memory."));
    expect(errorSentence(bare, inRussian)).toBe("Guest needs more memory.");
    expect(errorSentence(shownError(new Error("plain")), inRussian)).toBe("plain");
  });

  describe("readiness and exec errors", () => {
    it("say in Russian what went wrong with a shell", () => {
      const garbled = shownError(
        new HyperlabError("exec-garbled", "…", { guest: "vm-1", command: "uname -r", lastLines: [] }),
      );
      expect(errorSentence(garbled, inRussian)).toContain("Команда «uname -r» дошла до оболочки машины «vm-1»");
      const screen = shownError(new HyperlabError("no-shell", "…", { guest: "loader", reason: "screen-only" }));
      expect(errorSentence(screen, inRussian)).toBe(inRussian("errorText.no-shell.screen-only", { guest: "loader" }));
      expect(errorSentence(screen, inEnglish)).toContain('Guest "loader" shows only the VGA screen');
      const full = shownError(new HyperlabError("storage-full", "…", { id: "vm-1-snap", mib: 3.1 }));
      expect(errorSentence(full, inRussian)).toContain("снимок «vm-1-snap» (3.1 МиБ) не сохранён");
    });
  });
});
