import { PLATFORMS } from "../platforms";
import { fail, pass, text, type Lesson } from "../model";

export const choosing: Lesson = {
  id: "choosing",
  number: 6,
  title: text("Choosing a platform", "Выбор платформы"),
  summary: text(
    "vSphere, Hyper-V, KVM and Xen side by side: sort the table, note your own scenario, pick one.",
    "vSphere, Hyper-V, KVM и Xen рядом: отсортируйте таблицу, запишите свой сценарий, выберите платформу.",
  ),
  sections: [
    {
      heading: text("No single winner", "Единого победителя нет"),
      body: [
        text(
          "vSphere is the most balanced and versatile product for organisations with high demands on their virtual infrastructure. Hyper-V is the natural choice where Microsoft technology prevails; its features, speed and gentle learning curve can tip the scale too. If money matters and everything runs Linux, KVM gives high performance and supports Windows guests, while Xen trades some of that for greater reliability and stability.",
          "vSphere — самый сбалансированный и универсальный продукт для организаций с высокими требованиями к виртуальной инфраструктуре. Hyper-V — естественный выбор там, где преобладают технологии Microsoft; перевесить могут и его возможности, быстродействие и простота освоения. Если важна экономия и всё работает на Linux, KVM даёт высокую производительность и поддерживает Windows-гостей, а Xen жертвует частью этого ради надёжности и стабильности.",
        ),
        text(
          "The best choice always depends on the concrete deployment. The ratings in the table are a coarse summary of the lecture, not benchmarks: sort by what matters in your scenario and write down why.",
          "Оптимальный выбор всегда зависит от конкретного сценария развёртывания. Оценки в таблице — грубое обобщение лекции, а не результаты измерений: отсортируйте по важному для вашего сценария и запишите почему.",
        ),
      ],
    },
  ],
  exercise: "platform-table",
  steps: [
    {
      id: "pick",
      title: text(
        "Pick a platform for your scenario and justify it",
        "Выберите платформу под свой сценарий и обоснуйте",
      ),
      how: text(
        "Sort the table by a column, mark one platform as your pick and write a note of at least a few words next to it.",
        "Отсортируйте таблицу по столбцу, отметьте одну платформу как свой выбор и напишите рядом заметку хотя бы из нескольких слов.",
      ),
      check: async ({ answers }) => {
        const pick = answers.platformPick as string | undefined;
        const notes = (answers.platformNotes ?? {}) as Record<string, string>;
        const platform = PLATFORMS.find((p) => p.id === pick);
        if (!platform) return fail("Mark one platform as your pick.", "Отметьте одну платформу как свой выбор.");
        const note = (notes[platform.id] ?? "").trim();
        if (note.split(/\s+/).filter(Boolean).length < 3)
          return fail(
            `Write why you pick ${platform.name} (at least three words) in its note.`,
            `Напишите в заметке, почему вы выбираете ${platform.name} (хотя бы три слова).`,
          );
        return pass(`Your pick: ${platform.name} — "${note}".`, `Ваш выбор: ${platform.name} — «${note}».`);
      },
    },
  ],
};
