import { answers, findGuest, guestsRunning } from "../checks";
import { fail, pass, text, type Lesson } from "../model";

const GUEST = "web-1";
export const API_GUEST = "api-1";

/** The script the lesson offers to run against window.hyperlab (the student may edit it). */
export const API_SCRIPT = `// window.hyperlab is this page's hypervisor: the same API as @hyperlab/core.
const hv = window.hyperlab;
// Like "Launch instance": an image, a flavor's size, devices.
const vm = await hv.create({ name: "${API_GUEST}", image: "linux", memoryMiB: 32, console: "serial", net: "ne2k" });
// From the image's ready snapshot when one fits (cold boot otherwise).
await hv.startInstant(vm);
await vm.waitReady();
const { output } = await vm.exec("uname -sr");
return \`\${vm.name} is \${vm.state} on \${vm.placement.name}: \${output.trim()}\`;`;

/** The same lab from a terminal, with the CLI. */
export const CLI_COMMAND = `pnpm hyperlab up apps/web/src/lessons/labs/mini-cloud.lab.json --exec "web-1:uname -sr"`;

export const iaas: Lesson = {
  id: "iaas",
  number: 7,
  title: text("IaaS: EC2 and OpenStack", "IaaS: EC2 и OpenStack"),
  summary: text(
    "Public and private clouds hide the hypervisor behind instances, flavors, images, snapshots and an API. Our dashboard is a tiny one.",
    "Публичные и приватные облака прячут гипервизор за экземплярами, флейворами, образами, снимками и API. Наша панель — маленькое такое облако.",
  ),
  sections: [
    {
      heading: text("Public cloud: AWS EC2", "Публичное облако: AWS EC2"),
      body: [
        text(
          "Cloud providers' services are the most modern form of virtualization management. The hypervisors and the rest of the machinery are hidden from the user, and availability and fault tolerance come with guarantees. Users build production environments from instances and gain what only a cloud gives: several locations to deploy in, chaining with the provider's other services, and an API to create and change resources automatically.",
          "Сервисы облачных провайдеров — самая современная форма систем управления виртуализацией. Гипервизоры и прочая механика скрыты от пользователя, а доступность и отказоустойчивость гарантированы. Пользователь строит продуктивные окружения из экземпляров и получает то, что даёт только облако: несколько локаций для размещения, связку с другими сервисами провайдера и API для автоматического создания и изменения ресурсов.",
        ),
        text(
          "The EC2 console shows the same nouns as our dashboard: instances with an id, a type (t2.micro — our flavors), a state (pending, running, stopped) and status checks; images (AMIs); volumes and snapshots; networks and security groups.",
          "Консоль EC2 оперирует теми же понятиями, что и наша панель: экземпляры с идентификатором, типом (t2.micro — наши флейворы), состоянием (pending, running, stopped) и проверками статуса; образы (AMI); тома и снимки; сети и группы безопасности.",
        ),
      ],
    },
    {
      heading: text("Private cloud: OpenStack", "Приватное облако: OpenStack"),
      body: [
        text(
          "A private cloud is a software layer over your own data centre or co-location. It brings part of the public cloud's advantages — chaining with the rest of the infrastructure and, most importantly, a programmable API — but no guaranteed availability or many locations. In exchange it keeps the data private, which some projects require. OpenStack's dashboard lists instances with a size, a status, a task and a power state, plus volumes — much like our Instances view.",
          "Приватное облако — программная надстройка над собственным ЦОД или колокейшном. Оно даёт часть преимуществ публичного облака — связку с остальной инфраструктурой и, главное, программный API, — но без гарантий доступности и множества локаций. Взамен данные остаются приватными, что нужно некоторым проектам. Панель OpenStack показывает экземпляры с размером, статусом, задачей и состоянием питания, а также тома — почти как наша вкладка «Машины».",
        ),
      ],
    },
  ],
  exercise: "api-script",
  lab: "mini-cloud",
  steps: [
    {
      id: "launch",
      title: text("Launch an instance of flavor nano", "Запустите экземпляр флейвора nano"),
      how: text(
        `Press "Start this lab's guests": the lab file declares the flavors nano and micro and one instance, web-1, of flavor nano.`,
        "Нажмите «Запустить машины лабораторной»: файл лабораторной объявляет флейворы nano и micro и один экземпляр web-1 флейвора nano.",
      ),
      check: async ({ hv }) => {
        const up = guestsRunning(hv, [GUEST]);
        if (up.status !== "pass") return up;
        const { memoryMiB, weight, cap } = findGuest(hv, GUEST)!.spec;
        if (memoryMiB !== 32 || weight !== 256 || cap !== 0)
          return fail(
            `web-1 is not nano-sized (${memoryMiB} MiB, weight ${weight}, cap ${cap}).`,
            `web-1 не размера nano (${memoryMiB} МиБ, вес ${weight}, предел ${cap}).`,
          );
        return pass(
          "web-1 runs as a nano: 32 MiB, CPU weight 256, no cap.",
          "web-1 работает как nano: 32 МиБ, вес CPU 256, без предела.",
        );
      },
    },
    {
      id: "stop-start",
      title: text("Stop web-1 and start it again", "Остановите web-1 и запустите снова"),
      how: text(
        "Press Stop on web-1, wait for 'stopped', then Start: its memory goes back to the host and is reserved again, like an EC2 stop/start.",
        "Нажмите у web-1 «Остановить», дождитесь «stopped», затем «Запустить»: память возвращается хосту и резервируется снова, как при stop/start в EC2.",
      ),
      check: async ({ hv, journal }) => {
        const stopped = journal.lastEntered(GUEST, "stopped");
        if (!stopped) return fail("web-1 has not been stopped yet.", "web-1 ещё не останавливалась.");
        const again = journal.of(GUEST).find((e) => e.kind === "state" && e.state === "running" && e.at > stopped.at);
        if (!again) return fail("web-1 is stopped; start it again.", "web-1 остановлена; запустите её снова.");
        return guestsRunning(hv, [GUEST]).status === "pass"
          ? pass("web-1 went running → stopped → running.", "web-1 прошла running → stopped → running.")
          : fail("web-1 is not running now.", "web-1 сейчас не работает.");
      },
    },
    {
      id: "api",
      title: text("Create an instance through the API", "Создайте экземпляр через API"),
      how: text(
        "Run the script above (or paste it into the browser's console): it creates api-1, boots it and runs a command in it.",
        "Запустите скрипт выше (или вставьте его в консоль браузера): он создаёт api-1, загружает её и выполняет в ней команду.",
      ),
      check: async ({ hv }) => {
        const guest = findGuest(hv, API_GUEST);
        if (!guest)
          return fail("There is no instance api-1 yet: run the script.", "Экземпляра api-1 ещё нет: запустите скрипт.");
        if (guest.state !== "running") return fail(`api-1 is ${guest.state}.`, `api-1 в состоянии ${guest.state}.`);
        const reply = await answers(guest);
        if (!reply.ok) return fail(`api-1 does not answer: ${reply.output}`, `api-1 не отвечает: ${reply.output}`);
        return pass(
          `api-1 was made by a script, runs and answers (${reply.output}).`,
          `api-1 создана скриптом, работает и отвечает (${reply.output}).`,
        );
      },
    },
    {
      id: "terminate",
      title: text("Terminate api-1", "Удалите api-1"),
      how: text(
        "Press Terminate on api-1 (or call window.hyperlab.get('api-1').terminate()): the instance and its memory are gone for good.",
        "Нажмите у api-1 «Удалить» (или вызовите window.hyperlab.get('api-1').terminate()): экземпляр и его память исчезают навсегда.",
      ),
      check: async ({ hv, journal }) => {
        if (findGuest(hv, API_GUEST)) return fail("api-1 still exists.", "api-1 всё ещё существует.");
        if (!journal.lastEntered(API_GUEST, "terminated"))
          return fail(
            "api-1 was never created here: run the script first.",
            "api-1 здесь не создавалась: сначала запустите скрипт.",
          );
        const { usedMiB, budgetMiB } = hv.memory();
        return pass(
          `api-1 is terminated; the hosts hold ${usedMiB} of ${budgetMiB} MiB.`,
          `api-1 удалена; на хостах занято ${usedMiB} из ${budgetMiB} МиБ.`,
        );
      },
    },
  ],
};
