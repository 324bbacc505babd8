import { answers, findGuest, guestsRunning, median, sampleMetrics } from "../checks";
import { fail, pass, text, type Lesson } from "../model";

const A = "alpha";
const B = "beta";
const CAP = 25;
const HOLD_S = 10;

export const hypervisor: Lesson = {
  id: "hypervisor",
  number: 2,
  title: text("What a hypervisor does", "Что делает гипервизор"),
  summary: text(
    "Isolation, sharing, communication and independent power control — each shown on two real guests.",
    "Изоляция, разделение ресурсов, связь между гостями и независимое управление питанием — на двух настоящих гостевых машинах.",
  ),
  sections: [
    {
      heading: text("The definition", "Определение"),
      body: [
        text(
          "A hypervisor is a program (or a piece of hardware) that lets several operating systems run at the same time on one host computer. It is a minimal operating system of its own: it creates virtual machines, hands them resources and takes those resources back.",
          "Гипервизор — программа или аппаратная схема, позволяющая нескольким операционным системам одновременно работать на одном хост-компьютере. По сути это минимальная ОС: она создаёт виртуальные машины, выделяет им ресурсы и забирает их обратно.",
        ),
        text(
          "It gives four things. Isolation: one guest cannot see or break another, which is also what keeps them secure. Sharing: CPU, memory and devices are divided between guests and managed. Communication: guests can talk to each other as if they were separate physical computers on a network. Control: each guest can be powered on, rebooted or switched off on its own.",
          "Он даёт четыре вещи. Изоляцию: гость не видит и не может сломать соседа — на этом держится и безопасность. Разделение ресурсов: процессор, память и устройства делятся между гостями и управляются. Связь: гости общаются так, будто это отдельные физические компьютеры в сети. Управление: каждую машину можно включить, перезагрузить или выключить независимо от остальных.",
        ),
        text(
          "In this lab our hypervisor runs each guest in its own Web Worker with its own emulated memory; a scheduler shares the CPU by weight and cap; a virtual switch connects the network cards. The steps below check each claim against the two guests alpha and beta.",
          "В этой лаборатории наш гипервизор запускает каждого гостя в отдельном Web Worker с собственной эмулируемой памятью, планировщик делит процессор по весам и пределам, а виртуальный коммутатор соединяет сетевые карты. Шаги ниже проверяют каждое из утверждений на двух гостях — alpha и beta.",
        ),
      ],
    },
  ],
  lab: "what-a-hypervisor-does",
  steps: [
    {
      id: "start",
      title: text("Launch two guests", "Запустите две машины"),
      how: text(
        `Press "Start this lab's guests": alpha and beta boot side by side.`,
        "Нажмите «Запустить машины лабораторной»: alpha и beta загрузятся параллельно.",
      ),
      check: async ({ hv }) => {
        const result = guestsRunning(hv, [A, B]);
        const running = hv.guests.filter((g) => g.state === "running").length;
        if (result.status !== "pass" || running < 2) return result;
        return pass(
          `${running} guests are running on one host, alpha and beta among them.`,
          `На одном хосте работают ${running} гостя(ей), среди них alpha и beta.`,
        );
      },
    },
    {
      id: "isolation",
      title: text("Show that alpha's memory is its own", "Покажите, что память alpha принадлежит только ей"),
      how: text(
        "Open alpha's console and type: echo mine > /tmp/note — then check that beta has no such file. Each guest is an isolated process: its own worker, its own RAM.",
        "Откройте консоль alpha и введите: echo mine > /tmp/note — затем проверьте, что у beta такого файла нет. Каждый гость — изолированный процесс: свой воркер, своя память.",
      ),
      check: async ({ hv }) => {
        const up = guestsRunning(hv, [A, B]);
        if (up.status !== "pass") return up;
        const alpha = findGuest(hv, A)!;
        const beta = findGuest(hv, B)!;
        const inA = await alpha.exec("cat /tmp/note", { timeoutMs: 15_000 });
        if (inA.exitCode !== 0 || !inA.output.includes("mine"))
          return fail(
            "alpha has no /tmp/note with the word mine yet: type echo mine > /tmp/note in alpha's console.",
            "У alpha ещё нет файла /tmp/note со словом mine: введите echo mine > /tmp/note в консоли alpha.",
          );
        const inB = await beta.exec("test -e /tmp/note", { timeoutMs: 15_000 });
        if (inB.exitCode === 0)
          return fail(
            "beta has a /tmp/note too: remove it there (rm /tmp/note) — the point is that alpha's file never reaches beta.",
            "У beta тоже есть /tmp/note: удалите его там (rm /tmp/note) — смысл в том, что файл alpha до beta не доходит.",
          );
        const workers = hv.workerCount;
        const [ca, cb] = await Promise.all([alpha.counters(), beta.counters()]);
        const w = ` ${workers} guest workers are alive in this tab.`;
        const wr = ` В этой вкладке работают ${workers} воркера(ов) гостей.`;
        return pass(
          `alpha has the file, beta does not. Each answers from its own machine (instruction counters ${ca.instructions} and ${cb.instructions}).${w}`,
          `У alpha файл есть, у beta — нет. Каждая отвечает из своей машины (счётчики инструкций ${ca.instructions} и ${cb.instructions}).${wr}`,
        );
      },
    },
    {
      id: "talk",
      title: text(
        "Make alpha ping beta over the virtual switch",
        "Пусть alpha пропингует beta через виртуальный коммутатор",
      ),
      how: text(
        "The lab gave both guests addresses on the segment lan (see the Network view). In alpha's console run: ping -c 3 followed by beta's address.",
        "Лабораторная выдала обеим машинам адреса в сегменте lan (см. вкладку «Сеть»). В консоли alpha выполните: ping -c 3 и адрес beta.",
      ),
      check: async ({ hv, journal }) => {
        const from = hv.network.addressOf(A);
        const to = hv.network.addressOf(B);
        if (!from || !to)
          return fail(
            "alpha or beta has no address on the switch yet: start the lab's guests.",
            "У alpha или beta ещё нет адреса в коммутаторе: запустите машины лабораторной.",
          );
        const pings = journal.entries.filter((e) => e.kind === "icmp");
        const request = pings.some(
          (e) => e.source === from && e.destination === to && e.info?.startsWith("echo request"),
        );
        const reply = pings.some((e) => e.source === to && e.destination === from && e.info?.startsWith("echo reply"));
        if (!request)
          return fail(
            `No ping from alpha (${from}) to beta (${to}) went through the switch yet: in alpha's console run ping -c 3 ${to}.`,
            `Через коммутатор ещё не проходил ping от alpha (${from}) к beta (${to}): в консоли alpha выполните ping -c 3 ${to}.`,
          );
        if (!reply)
          return fail(
            `alpha's ping reached the switch but beta (${to}) did not answer it.`,
            `Ping от alpha дошёл до коммутатора, но beta (${to}) не ответила.`,
          );
        return pass(
          `The switch carried alpha's echo request to ${to} and beta's echo reply back to ${from}.`,
          `Коммутатор передал echo request от alpha к ${to} и echo reply от beta обратно к ${from}.`,
        );
      },
    },
    {
      id: "pause",
      title: text("Pause alpha while beta keeps answering", "Приостановите alpha, пока beta продолжает отвечать"),
      how: text(
        "Press Pause on alpha (in the guest list of this lesson or in Instances). Leave beta running.",
        "Нажмите «Приостановить» у alpha (в списке машин урока или на вкладке «Машины»). beta не трогайте.",
      ),
      check: async ({ hv }) => {
        const alpha = findGuest(hv, A);
        const beta = findGuest(hv, B);
        if (!alpha || !beta) return fail("Start the lab's guests first.", "Сначала запустите машины лабораторной.");
        if (alpha.state !== "paused")
          return fail(
            `alpha is ${alpha.state}, not paused: pause it.`,
            `alpha сейчас в состоянии ${alpha.state}, а не на паузе: приостановите её.`,
          );
        if (beta.state !== "running")
          return fail(
            `beta is ${beta.state}: it should keep running.`,
            `beta в состоянии ${beta.state}: она должна продолжать работать.`,
          );
        const reply = await answers(beta);
        if (!reply.ok)
          return fail(`beta did not answer a command: ${reply.output}`, `beta не ответила на команду: ${reply.output}`);
        return pass(
          `alpha is paused, and beta answered at once (${reply.output}).`,
          `alpha на паузе, а beta сразу ответила (${reply.output}).`,
        );
      },
    },
    {
      id: "reboot",
      title: text("Reboot alpha on its own", "Перезагрузите alpha отдельно"),
      how: text(
        "Resume alpha, then press Reboot on it. beta must stay running the whole time.",
        "Нажмите у alpha «Продолжить» и нажмите у неё «Перезагрузить». beta всё это время должна работать.",
      ),
      check: async ({ hv, journal }) => {
        const rebooted = journal.lastEntered(A, "rebooting");
        if (!rebooted)
          return fail(
            "alpha has not rebooted yet: press Reboot on alpha.",
            "alpha ещё не перезагружалась: нажмите «Перезагрузить» у alpha.",
          );
        const back = journal.of(A).find((e) => e.kind === "state" && e.state === "running" && e.at >= rebooted.at);
        if (!back)
          return fail(
            "alpha is still coming back up; check again in a moment.",
            "alpha ещё загружается; проверьте чуть позже.",
          );
        const disturbed = journal.changesBetween(B, rebooted.at, back.at);
        if (disturbed.length)
          return fail(
            `beta changed state while alpha rebooted (${disturbed.map((e) => e.state).join(", ")}): reboot alpha alone.`,
            `beta меняла состояние, пока alpha перезагружалась (${disturbed.map((e) => e.state).join(", ")}): перезагрузите только alpha.`,
          );
        const up = guestsRunning(hv, [A, B]);
        if (up.status !== "pass") return up;
        const seconds = ((back.at - rebooted.at) / 1000).toFixed(1);
        return pass(
          `alpha went rebooting → booting → running in ${seconds} s; beta stayed running throughout.`,
          `alpha прошла rebooting → booting → running за ${seconds} с; beta всё это время работала.`,
        );
      },
    },
    {
      id: "cap",
      title: text(
        `Cap beta at ${CAP}% of a core and keep it there for ${HOLD_S} s`,
        `Ограничьте beta ${CAP}% ядра и держите ${HOLD_S} с`,
      ),
      how: text(
        `In the CPU scheduler view set beta's cap to ${CAP}%. To see the cap bite, make beta busy first (Spin the CPU, or hl-burn & in its console). Then press Check and wait ${HOLD_S} s.`,
        `На вкладке «Планировщик CPU» поставьте beta предел ${CAP}%. Чтобы предел был заметен, сначала нагрузите beta («Загрузить CPU» или hl-burn & в её консоли). Затем нажмите «Проверить» и подождите ${HOLD_S} с.`,
      ),
      check: async (ctx) => {
        const beta = findGuest(ctx.hv, B);
        if (!beta || beta.state !== "running") return fail("beta is not running.", "beta не работает.");
        if (beta.cap !== CAP)
          return fail(
            `beta's cap is ${beta.cap === 0 ? "off" : `${beta.cap}%`}; set it to ${CAP}%.`,
            `Предел beta: ${beta.cap === 0 ? "нет" : `${beta.cap}%`}; поставьте ${CAP}%.`,
          );
        const samples = await sampleMetrics(ctx, beta, HOLD_S, (left) =>
          text(`Watching beta's CPU: ${left} s left…`, `Наблюдаем за CPU beta: осталось ${left} с…`),
        );
        if (samples.length < HOLD_S)
          return fail(
            "Too few CPU samples from beta; check again.",
            "От beta пришло слишком мало замеров CPU; проверьте ещё раз.",
          );
        const changed = samples.find((s) => s.cap !== CAP);
        if (changed)
          return fail(
            `The cap changed to ${changed.cap}% during the ${HOLD_S} s: keep it at ${CAP}%.`,
            `За ${HOLD_S} с предел сменился на ${changed.cap}%: держите ${CAP}%.`,
          );
        const share = Math.max(...samples.map((s) => s.share));
        const cpu = median(samples.map((s) => s.cpuPercent));
        if (share > CAP / 100 + 0.005 || cpu > CAP + 10)
          return fail(
            `beta got more than its cap: share up to ${(share * 100).toFixed(0)}%, median CPU ${cpu.toFixed(0)}%.`,
            `beta получила больше предела: доля до ${(share * 100).toFixed(0)}%, медиана CPU ${cpu.toFixed(0)}%.`,
          );
        const idle = cpu < 5;
        return pass(
          `For ${HOLD_S} s beta's share stayed ≤ ${CAP}% and its median CPU was ${cpu.toFixed(0)}% of a core.${idle ? " (beta was idle — make it spin to watch the cap hold it.)" : ""}`,
          `${HOLD_S} с доля beta не превышала ${CAP}%, медиана CPU — ${cpu.toFixed(0)}% ядра.${idle ? " (beta простаивала — нагрузите её, чтобы увидеть, как предел её сдерживает.)" : ""}`,
        );
      },
    },
  ],
};
