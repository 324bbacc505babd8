import { isLive, runPath } from "@hyperlab/core";
import { findGuest, guestsRunning } from "../checks";
import { fail, needs, pass, text, type Lesson } from "../model";

const GUEST = "xen-guest";
const KIB = 8;

export const kvmXen: Lesson = {
  id: "kvm-xen",
  number: 5,
  title: text("KVM and Xen", "KVM и Xen"),
  summary: text(
    "A guest as an ordinary host process, virtio for near-native I/O, Xen's PV and HVM guests, and the resources Xen keeps for dom0.",
    "Гость как обычный процесс хоста, virtio для почти нативного ввода-вывода, PV- и HVM-гости Xen и ресурсы, которые Xen оставляет dom0.",
  ),
  sections: [
    {
      heading: text("KVM", "KVM"),
      body: [
        text(
          "KVM is hardware-assisted virtualization built into most current Linux kernels. It runs almost any guest — BSD, Windows, Linux — and with virtio drivers the guest's I/O comes close to native speed. It installs from ISO images or templates and has good security, but heavy I/O can hurt both the guests and the host.",
          "KVM — аппаратная виртуализация, встроенная в большинство современных ядер Linux. Гостем может быть почти любая ОС — BSD, Windows, Linux, — а с драйверами virtio ввод-вывод гостя почти не уступает нативному. Установка из ISO или по шаблонам, хороший уровень безопасности, но тяжёлая нагрузка на ввод-вывод может сказаться и на гостях, и на хосте.",
        ),
        text(
          "Each KVM guest is a process on the host. That makes a misbehaving guest easy to find, but when the host runs short of resources every guest suffers. KVM is younger and still moving fast; people pick it for speed and flexibility, though it is considered less stable than Xen.",
          "Каждый гость KVM — процесс на хосте. Поэтому проблемную машину легко найти, но если хосту не хватает ресурсов, страдают все гости. KVM моложе и активно развивается; его выбирают за производительность и гибкость, хотя он считается менее стабильным, чем Xen.",
        ),
      ],
    },
    {
      heading: text("Xen", "Xen"),
      body: [
        text(
          "Xen runs two kinds of guests, even on the same host at once. Xen PV (paravirtualization) guests know they are virtual and talk to the hypervisor directly; they are usually made from templates for quick deployment and speed, and by default only Linux runs this way (BSD with extra work). Xen HVM (full hardware virtualization) works much like KVM: good with Linux, weaker than KVM with NetBSD and Windows.",
          "Xen запускает гостей двух видов, даже одновременно на одном хосте. Гости Xen PV (паравиртуализация) знают, что они виртуальные, и общаются с гипервизором напрямую; обычно их разворачивают из шаблонов ради скорости, и по умолчанию так работает только Linux (BSD — с дополнительной настройкой). Xen HVM (полная аппаратная виртуализация) устроен примерно как KVM: хорош с Linux, но с NetBSD и Windows уступает KVM.",
        ),
        text(
          "Xen is old and very mature; people choose it for performance and above all stability. A Xen host usually reserves RAM and cores for the hypervisor and its dom0 up front, so no guest can take them away — that is where the stability comes from.",
          "Xen — старый и очень зрелый продукт; его выбирают за производительность и прежде всего за стабильность. Хост Xen обычно заранее резервирует память и ядра для гипервизора и dom0, и никакой гость не может их отнять — отсюда и стабильность.",
        ),
        text(
          "In this lab: every guest is its own Web Worker, the browser's version of a process. The xen-guest machine has two consoles on the same kernel: an emulated 8250 UART, where every byte costs port exits as in full (HVM-style) emulation, and a virtio console, where data goes through shared rings as in PV.",
          "В нашей лаборатории каждый гость — отдельный Web Worker, браузерный аналог процесса. У машины xen-guest две консоли на одном ядре: эмулируемый UART 8250, где каждый байт стоит выходов по портам, как при полной эмуляции (в духе HVM), и консоль virtio, где данные идут через общие кольца, как при PV.",
        ),
      ],
    },
  ],
  lab: "kvm-xen",
  steps: [
    {
      id: "start",
      title: text("Start the guest with both device sets", "Запустите машину с обоими наборами устройств"),
      how: text(`Press "Start this lab's guests".`, "Нажмите «Запустить машины лабораторной»."),
      check: async ({ hv }) => guestsRunning(hv, [GUEST]),
    },
    {
      id: "process",
      title: text("Show that a guest is a process of its own", "Покажите, что гость — отдельный процесс"),
      how: text(
        "Each running guest has its own worker (in Chromium: DevTools → Sources → Threads). Press Check to count them against the running guests.",
        "У каждого работающего гостя свой воркер (в Chromium: DevTools → Sources → Threads). Нажмите «Проверить», чтобы сравнить их число с числом работающих гостей.",
      ),
      check: async ({ hv }) => {
        const up = guestsRunning(hv, [GUEST]);
        if (up.status !== "pass") return up;
        const running = hv.guests.filter((g) => isLive(g.state)).length;
        const workers = hv.workerCount;
        if (workers < running)
          return fail(
            `${workers} workers for ${running} live guests: some guests share one.`,
            `${workers} воркеров на ${running} живых гостей: кто-то делит воркер.`,
          );
        const counters = await findGuest(hv, GUEST)!.counters();
        return pass(
          `${running} live guests, ${workers} guest workers: one each. xen-guest's own CPU has run ${counters.instructions} instructions (a 32-bit counter).`,
          `${running} живых гостей, ${workers} воркеров гостей: у каждого свой. Собственный процессор xen-guest выполнил ${counters.instructions} инструкций (32-битный счётчик).`,
        );
      },
    },
    {
      id: "pv-vs-hvm",
      title: text("Measure the UART (HVM) against virtio (PV)", "Сравните UART (HVM) и virtio (PV)"),
      how: text(
        `Press Check: ${KIB} KiB are written through each console of xen-guest with the device probes on, and the port exits per KiB are compared.`,
        `Нажмите «Проверить»: через каждую консоль xen-guest пишется ${KIB} КиБ при включённых пробах устройств, и сравнивается число выходов по портам на КиБ.`,
      ),
      check: async ({ hv, onProgress }) => {
        const guest = findGuest(hv, GUEST);
        const up = guestsRunning(hv, [GUEST]);
        if (up.status !== "pass") return up;
        onProgress?.(text("Writing through the UART…", "Пишем через UART…"));
        const full = await runPath(guest!, "console", "full", KIB, { timeoutMs: 60_000 });
        onProgress?.(text("Writing through virtio-console…", "Пишем через virtio-console…"));
        const pv = await runPath(guest!, "console", "paravirtual", KIB, { timeoutMs: 60_000 });
        const ratio = full.exitsPerKiB / Math.max(pv.exitsPerKiB, 0.01);
        const figures = `UART ${full.exitsPerKiB.toFixed(0)} exits/KiB, virtio ${pv.exitsPerKiB.toFixed(1)} exits/KiB`;
        const figuresRu = `UART ${full.exitsPerKiB.toFixed(0)} выходов/КиБ, virtio ${pv.exitsPerKiB.toFixed(1)} выходов/КиБ`;
        if (ratio < 10)
          return fail(
            `Expected far fewer exits with virtio: ${figures}.`,
            `С virtio ожидалось намного меньше выходов: ${figuresRu}.`,
          );
        return pass(
          `${figures}: the PV path needs ${ratio.toFixed(0)}× fewer exits.`,
          `${figuresRu}: PV-пути нужно в ${ratio.toFixed(0)} раз меньше выходов.`,
        );
      },
    },
    {
      id: "dom0",
      title: text(
        "Keep a core for the host, as Xen keeps one for dom0",
        "Оставьте ядро хосту, как Xen оставляет его dom0",
      ),
      how: text(
        "In the CPU scheduler view lend the guests one core fewer than this computer has: the remaining core belongs to the page itself (our 'dom0') and no guest can take it.",
        "На вкладке «Планировщик CPU» отдайте гостям на одно ядро меньше, чем есть у компьютера: оставшееся ядро принадлежит самой странице (нашему «dom0»), и никакой гость его не отнимет.",
      ),
      check: async ({ hv }) => {
        const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
        if (cores < 2)
          return needs(
            "This step needs a computer with at least two cores.",
            "Для этого шага нужен компьютер хотя бы с двумя ядрами.",
          );
        if (hv.hostCores >= cores)
          return fail(
            `The guests may use all ${cores} cores of this computer; lend them at most ${cores - 1}.`,
            `Гостям доступны все ${cores} ядра компьютера; дайте им не больше ${cores - 1}.`,
          );
        return pass(
          `Guests share ${hv.hostCores} of ${cores} cores; ${cores - hv.hostCores} stay with the host, like dom0's reserved cores.`,
          `Гости делят ${hv.hostCores} из ${cores} ядер; ${cores - hv.hostCores} остаются хосту, как зарезервированные ядра dom0.`,
        );
      },
    },
  ],
};
