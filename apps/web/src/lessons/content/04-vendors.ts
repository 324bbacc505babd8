import { answers, findGuest, guestsRunning } from "../checks";
import { fail, needs, pass, text, type Lesson } from "../model";

const GUEST = "mover";

export const vendors: Lesson = {
  id: "vendors",
  number: 4,
  title: text("VMware and Hyper-V", "VMware и Hyper-V"),
  summary: text(
    "A monolithic hypervisor with the drivers inside it, against a microkernel one with the drivers in a parent partition; then a live migration and a replica.",
    "Монолитный гипервизор с драйверами внутри против микроядерного с драйверами в родительском разделе; затем живая миграция и реплика.",
  ),
  sections: [
    {
      heading: text("VMware vSphere: monolithic", "VMware vSphere: монолитная архитектура"),
      body: [
        text(
          "vSphere, VMware's base for production systems, puts everything into the hypervisor layer: device drivers (so the hardware must be on VMware's list), resource scheduling, the distributed file system, the network stack and the storage stack that the management layer uses.",
          "vSphere, основа продуктивных систем VMware, помещает всё в слой гипервизора: драйверы устройств (поэтому оборудование должно поддерживаться VMware), планирование ресурсов, распределённую файловую систему, сетевой стек и стек хранения, через который к дискам обращается слой управления.",
        ),
        text(
          "Pros: no general-purpose OS to choose or to patch for management, good support, strong security. Cons: hardware VMware does not support will not work, large driver sets slow the start-up, engineers need a lot of training, and the free edition is limited.",
          "Плюсы: не нужно выбирать и патчить ОС для управления, хорошая поддержка, высокий уровень безопасности. Минусы: неподдерживаемое оборудование не заработает, большие драйверы удлиняют инициализацию, инженерам нужно серьёзное обучение, бесплатная версия урезана.",
        ),
      ],
    },
    {
      heading: text("Microsoft Hyper-V: microkernel", "Microsoft Hyper-V: микроядерная архитектура"),
      body: [
        text(
          "Hyper-V is built into Windows Server and also ships as the standalone Hyper-V Server. Its hypervisor is small: device drivers run separately, in the parent (management) partition. That layer also hosts live migration of running VMs, storage migration, SMB and NTFS file systems and Hyper-V Replica; the network and storage stacks belong to the hypervisor side.",
          "Hyper-V встроен в Windows Server и поставляется также отдельно как Hyper-V Server. Его гипервизор мал: драйверы устройств работают отдельно, в родительском (управляющем) разделе. В этом слое находятся и живая миграция работающих машин, миграция хранилищ, файловые системы SMB и NTFS, Hyper-V Replica; сетевой стек и стек хранения относятся к гипервизору.",
        ),
        text(
          "Pros: simple driver management and a wide range of devices, new server roles are easy to add, a small hypervisor starts quickly, maintenance and security updates need no service interruption, services scale, and engineers learn it faster. Cons: an OS must be installed for the hypervisor layer, and the supported OS versions are limited.",
          "Плюсы: простое управление драйверами и широкий выбор устройств, новые роли сервера добавляются легко, небольшой гипервизор быстро стартует, обслуживание и обновления безопасности без прерывания сервиса, сервисы масштабируются, порог входа для инженеров ниже. Минусы: для слоя гипервизора нужна установленная ОС, поддержка версий ОС ограничена.",
        ),
      ],
    },
  ],
  exercise: "vendor-architectures",
  lab: "vmware-hyperv",
  steps: [
    {
      id: "start",
      title: text("Start the guest to move", "Запустите машину для переноса"),
      how: text(
        `Press "Start this lab's guests": mover boots on Host A.`,
        "Нажмите «Запустить машины лабораторной»: mover загрузится на Host A.",
      ),
      check: async ({ hv }) => guestsRunning(hv, [GUEST]),
    },
    {
      id: "migrate",
      title: text("Live-migrate mover to Host B", "Перенесите mover на Host B вживую"),
      how: text(
        "In the Hosts & snapshots view press 'Migrate to Host B' on mover. It keeps running; only a short downtime is measured.",
        "На вкладке «Хосты и снимки» нажмите у mover «Перенести на Host B». Машина продолжит работать; измеряется лишь короткий простой.",
      ),
      check: async ({ hv, journal }) => {
        const guest = findGuest(hv, GUEST);
        if (hv.hosts.length < 2)
          return needs(
            "This step needs a second host to migrate to.",
            "Для этого шага нужен второй хост, на который можно перенести машину.",
          );
        if (!guest) return fail("Start the lab's guest first.", "Сначала запустите машину лабораторной.");
        const moved = journal
          .of(GUEST)
          .filter((e) => e.kind === "migrated")
          .at(-1);
        if (!moved || guest.placement.name !== "Host B")
          return fail(
            `mover runs on ${guest.placement.name}; migrate it to Host B.`,
            `mover работает на ${guest.placement.name}; перенесите её на Host B.`,
          );
        const reply = await answers(guest);
        if (!reply.ok)
          return fail(
            `mover moved but does not answer: ${reply.output}`,
            `mover перенесена, но не отвечает: ${reply.output}`,
          );
        return pass(
          `mover now runs on Host B after ${moved.downtimeMs?.toFixed(0)} ms of downtime, and it answers (${reply.output}).`,
          `mover работает на Host B после простоя ${moved.downtimeMs?.toFixed(0)} мс и отвечает (${reply.output}).`,
        );
      },
    },
    {
      id: "replica",
      title: text("Make a replica of mover", "Сделайте реплику mover"),
      how: text(
        "In Hosts & snapshots take a snapshot of mover, then press 'Launch a clone' on it: a second machine starts from the saved state, like a Hyper-V Replica taking over.",
        "На вкладке «Хосты и снимки» сделайте снимок mover и нажмите у него «Запустить клон»: из сохранённого состояния стартует вторая машина — как реплика Hyper-V, принимающая работу.",
      ),
      check: async ({ hv }) => {
        const clone = hv.guests.find((g) => g.name.startsWith(`${GUEST}-clone`));
        if (!clone)
          return fail(
            "There is no clone of mover yet (a guest named mover-clone-…).",
            "Клона mover ещё нет (машины с именем mover-clone-…).",
          );
        if (clone.state !== "running")
          return fail(
            `${clone.name} is ${clone.state}; wait until it runs.`,
            `${clone.name} в состоянии ${clone.state}; дождитесь запуска.`,
          );
        const reply = await answers(clone);
        if (!reply.ok)
          return fail(`${clone.name} does not answer: ${reply.output}`, `${clone.name} не отвечает: ${reply.output}`);
        return pass(
          `${clone.name} runs from mover's saved state and answers.`,
          `${clone.name} работает из сохранённого состояния mover и отвечает.`,
        );
      },
    },
  ],
};
