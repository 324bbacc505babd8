import { findGuest, guestsRunning } from "../checks";
import { fail, pass, text, type Lesson } from "../model";

const GUEST = "tab-guest";

export const types: Lesson = {
  id: "types",
  number: 3,
  title: text(
    "Hypervisor types: standalone, hosted, hybrid",
    "Типы гипервизоров: автономный, на базовой ОС, гибридный",
  ),
  summary: text(
    "Where the scheduler, the memory manager and the device drivers live in each type — and why this lab is a hosted hypervisor inside a browser.",
    "Где живут планировщик, менеджер памяти и драйверы устройств в каждом типе — и почему эта лаборатория является гипервизором на базовой ОС внутри браузера.",
  ),
  sections: [
    {
      heading: text("Three designs", "Три устройства"),
      body: [
        text(
          "A standalone (type 1, bare-metal) hypervisor runs directly on the hardware. It emulates and manages the hardware itself and manages the guests, so it is a small operating system in its own right. With nothing underneath it, it tends to be the fastest. Example: VMware vSphere (ESXi).",
          "Автономный гипервизор (тип 1, bare metal) работает прямо на оборудовании. Он сам эмулирует и контролирует аппаратуру и управляет гостями, то есть сам является маленькой операционной системой. Под ним нет лишних слоёв, поэтому обычно он быстрее. Пример: VMware vSphere (ESXi).",
        ),
        text(
          "A hosted (type 2) hypervisor is an extra software layer on top of an ordinary host OS. It mostly manages guests, while the host OS drives the hardware and does the scheduling of real CPUs and memory. Examples: VMware Workstation, VirtualBox.",
          "Гипервизор на базовой ОС (тип 2) — дополнительный программный слой поверх обычной хостовой ОС. Он в основном управляет гостями, а работу с оборудованием и распределение настоящих процессоров и памяти берёт на себя хостовая ОС. Примеры: VMware Workstation, VirtualBox.",
        ),
        text(
          "A hybrid hypervisor splits the work: a thin hypervisor controls the CPU and memory, and a service OS running under it, in a less privileged ring, owns the remaining hardware. Guests reach disks and network through that service OS. Examples: Xen (dom0) and Microsoft Hyper-V (the parent partition).",
          "Гибридный гипервизор делит работу: тонкий гипервизор управляет процессором и памятью, а сервисная ОС под его управлением, в кольце с меньшими привилегиями, владеет остальным оборудованием. К дискам и сети гости обращаются через эту сервисную ОС. Примеры: Xen (dom0) и Microsoft Hyper-V (родительский раздел).",
        ),
      ],
    },
    {
      heading: text("And Hyperlab?", "А Hyperlab?"),
      body: [
        text(
          "Hyperlab is a type-2 hypervisor twice over: the browser is its host, and the browser in turn runs on your OS. The real CPU time of every guest worker is scheduled by the OS; our scheduler only divides what the tab gets. Devices are emulated in WebAssembly by v86, and the browser's own APIs play the part of the host's drivers.",
          "Hyperlab — гипервизор второго типа, причём дважды: его хост — браузер, а браузер, в свою очередь, работает на вашей ОС. Настоящее процессорное время каждого воркера гостя распределяет ОС; наш планировщик лишь делит то, что досталось вкладке. Устройства эмулирует v86 в WebAssembly, а роль драйверов хоста играют API самого браузера.",
        ),
        text(
          "The guest's processor is emulated as well. While a guest boots, v86 decodes and runs its x86 instructions one by one; once the shell is up, it translates the code that runs often into WebAssembly, which the browser compiles to your machine's code. The console header says which (interpreter or JIT). Translating guest code in software is how VMware's first hypervisors ran unmodified x86 guests, before processors had hardware virtualization (Intel VT-x, AMD-V).",
          "Процессор гостя тоже эмулируется. Пока гость загружается, v86 декодирует и выполняет его инструкции x86 по одной; когда оболочка готова, часто выполняемый код переводится в WebAssembly, а браузер компилирует его в машинный код вашего компьютера. Заголовок консоли показывает режим (интерпретатор или JIT). Программная трансляция кода гостя — так первые гипервизоры VMware исполняли немодифицированные гостевые x86-системы, пока у процессоров не было аппаратной виртуализации (Intel VT-x, AMD-V).",
        ),
      ],
    },
  ],
  exercise: "hypervisor-types",
  lab: "hypervisor-types",
  steps: [
    {
      id: "start",
      title: text("Boot a guest inside this tab", "Загрузите гостя в этой вкладке"),
      how: text(
        `Press "Start this lab's guests" and wait for tab-guest to run.`,
        "Нажмите «Запустить машины лабораторной» и дождитесь, пока tab-guest заработает.",
      ),
      check: async ({ hv }) => guestsRunning(hv, [GUEST]),
    },
    {
      id: "which-type",
      title: text("Place Hyperlab on the diagram", "Найдите место Hyperlab на схеме"),
      how: text(
        "In the diagram above, pick the type of hypervisor that Hyperlab is, then press Check.",
        "На схеме выше выберите тип гипервизора, которым является Hyperlab, и нажмите «Проверить».",
      ),
      check: async ({ answers }) => {
        const answer = answers.hyperlabType;
        if (answer === undefined)
          return fail("Choose a type under the diagram first.", "Сначала выберите тип под схемой.");
        if (answer !== "hosted")
          return fail(
            "Not quite: what runs under Hyperlab and owns the hardware and the real scheduler?",
            "Не совсем: что работает под Hyperlab и владеет оборудованием и настоящим планировщиком?",
          );
        return pass(
          "Right: a hosted (type-2) hypervisor — the browser and your OS sit below it.",
          "Верно: гипервизор на базовой ОС (тип 2) — под ним браузер и ваша ОС.",
        );
      },
    },
    {
      id: "one-core",
      title: text("Lend the guests a single host core", "Отдайте гостям одно ядро хоста"),
      how: text(
        "In the CPU scheduler view set 'Host cores shared by guests' to 1: our scheduler now divides one core of what the OS gives the tab.",
        "На вкладке «Планировщик CPU» поставьте «Ядра хоста для гостей» равным 1: теперь наш планировщик делит одно ядро из того, что ОС выделила вкладке.",
      ),
      check: async ({ hv }) => {
        if (hv.hostCores !== 1)
          return fail(
            `The guests share ${hv.hostCores} host cores; set it to 1.`,
            `Гости делят ${hv.hostCores} ядра хоста; поставьте 1.`,
          );
        const guest = findGuest(hv, GUEST);
        const share =
          guest?.state === "running" ? ` tab-guest's share is now ${(guest.share * 100).toFixed(0)}% of it.` : "";
        const shareRu =
          guest?.state === "running" ? ` Доля tab-guest теперь ${(guest.share * 100).toFixed(0)}% от него.` : "";
        return pass(`The guests share one core.${share}`, `Гости делят одно ядро.${shareRu}`);
      },
    },
  ],
};
