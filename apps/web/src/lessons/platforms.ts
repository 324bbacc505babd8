/** Lesson 6's comparison of the four platforms, as the lecture sums them up. */
import { text, type Text } from "./model";

/** Columns the student can sort by; ratings are 1 (low) to 3 (high). */
export type PlatformColumn = "name" | "cost" | "learning" | "stability" | "windows";

export interface Platform {
  id: string;
  name: string;
  architecture: Text;
  /** Licence cost: 1 free … 3 expensive. */
  cost: number;
  /** How easy to learn: 1 hard … 3 easy. */
  learning: number;
  stability: number;
  /** How well Windows guests are served. */
  windows: number;
  fit: Text;
}

export const PLATFORMS: Platform[] = [
  {
    id: "vsphere",
    name: "VMware vSphere",
    architecture: text("Type 1, monolithic", "Тип 1, монолитный"),
    cost: 3,
    learning: 1,
    stability: 3,
    windows: 3,
    fit: text(
      "The most balanced and universal choice for demanding virtual infrastructure.",
      "Самый сбалансированный и универсальный выбор для требовательной виртуальной инфраструктуры.",
    ),
  },
  {
    id: "hyper-v",
    name: "Microsoft Hyper-V",
    architecture: text("Hybrid, microkernel", "Гибридный, микроядерный"),
    cost: 2,
    learning: 3,
    stability: 2,
    windows: 3,
    fit: text(
      "The default where Microsoft technology dominates; rich features, fast, easy to learn.",
      "Выбор по умолчанию там, где преобладают технологии Microsoft; богатый функционал, быстродействие, простота изучения.",
    ),
  },
  {
    id: "kvm",
    name: "KVM",
    architecture: text("In the Linux kernel; guests are processes", "В ядре Linux; гости — процессы"),
    cost: 1,
    learning: 2,
    stability: 2,
    windows: 2,
    fit: text(
      "Saves money in Linux-only shops: high performance and decent Windows support.",
      "Экономит деньги в чисто Linux-окружениях: высокое быстродействие и приличная поддержка Windows.",
    ),
  },
  {
    id: "xen",
    name: "Xen",
    architecture: text("Hybrid: thin hypervisor + dom0", "Гибридный: тонкий гипервизор + dom0"),
    cost: 1,
    learning: 2,
    stability: 3,
    windows: 1,
    fit: text(
      "Free as well, chosen for reliability and stability; weaker with Windows guests.",
      "Тоже бесплатный, его выбирают за надёжность и стабильность; с Windows-гостями слабее.",
    ),
  },
];

export const COLUMNS: { id: PlatformColumn; title: Text; low?: Text; high?: Text }[] = [
  { id: "name", title: text("Platform", "Платформа") },
  {
    id: "cost",
    title: text("Licence cost", "Стоимость лицензии"),
    low: text("free", "бесплатно"),
    high: text("high", "высокая"),
  },
  {
    id: "learning",
    title: text("Ease of learning", "Простота освоения"),
    low: text("hard", "сложно"),
    high: text("easy", "легко"),
  },
  {
    id: "stability",
    title: text("Stability", "Стабильность"),
    low: text("lower", "ниже"),
    high: text("high", "высокая"),
  },
  {
    id: "windows",
    title: text("Windows guests", "Windows-гости"),
    low: text("weaker", "слабее"),
    high: text("best", "лучше всего"),
  },
];

export type SortDirection = "ascending" | "descending";

/** The platforms sorted by one column (ties keep the lecture's order). */
export function sortPlatforms(list: readonly Platform[], by: PlatformColumn, direction: SortDirection): Platform[] {
  const sign = direction === "ascending" ? 1 : -1;
  return [...list].sort((a, b) => {
    const diff = by === "name" ? a.name.localeCompare(b.name) : a[by] - b[by];
    return sign * diff || list.indexOf(a) - list.indexOf(b);
  });
}
