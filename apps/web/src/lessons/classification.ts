/**
 * Lesson 1's exercise: classify virtualization products along the lecture's dimensions.
 * The answer key follows the lecture; cells the lecture leaves open (a product that is
 * both, or whose licence it does not state) are not asked.
 */
import { text, type Text } from "./model";

export type Dimension = "kind" | "distribution" | "level" | "licence" | "scale";

export const DIMENSIONS: { id: Dimension; title: Text; options: { id: string; label: Text }[] }[] = [
  {
    id: "kind",
    title: text("Type", "Тип"),
    options: [
      { id: "vm", label: text("Virtual machines", "Виртуальные машины") },
      { id: "environment", label: text("Virtual environment", "Виртуальное окружение") },
      { id: "container", label: text("Containers", "Контейнеры") },
      { id: "private-cloud", label: text("Virtual data centre", "Виртуальный ЦОД") },
    ],
  },
  {
    id: "distribution",
    title: text("Distribution", "Дистрибуция"),
    options: [
      { id: "installed", label: text("Installed", "Устанавливаемое ПО") },
      { id: "public-cloud", label: text("Public cloud", "Публичное облако") },
    ],
  },
  {
    id: "level",
    title: text("Abstraction level", "Уровень абстракции"),
    options: [
      { id: "hypervisor", label: text("Hypervisor", "Гипервизор") },
      { id: "application", label: text("Application system", "Прикладная система") },
    ],
  },
  {
    id: "licence",
    title: text("Licence", "Лицензия"),
    options: [
      { id: "open-source", label: text("Open source", "Open source") },
      { id: "commercial", label: text("Commercial", "Коммерческий") },
    ],
  },
  {
    id: "scale",
    title: text("Scale", "Масштаб"),
    options: [
      { id: "workstation", label: text("Workstation", "Рабочая станция") },
      { id: "production", label: text("Production / test", "Продуктив / тесты") },
    ],
  },
];

export const PRODUCTS: { id: string; name: string; key: Partial<Record<Dimension, string>> }[] = [
  {
    id: "virtualbox",
    name: "VirtualBox",
    key: { kind: "vm", distribution: "installed", level: "hypervisor", licence: "open-source", scale: "workstation" },
  },
  {
    id: "hyper-v",
    name: "Hyper-V",
    key: { kind: "vm", distribution: "installed", level: "hypervisor", licence: "commercial" },
  },
  {
    id: "kvm",
    name: "KVM",
    key: { kind: "vm", distribution: "installed", level: "hypervisor", licence: "open-source", scale: "production" },
  },
  {
    id: "xen",
    name: "Xen",
    key: { kind: "vm", distribution: "installed", level: "hypervisor", licence: "open-source", scale: "production" },
  },
  {
    id: "vsphere",
    name: "VMware vSphere",
    key: { kind: "vm", distribution: "installed", level: "hypervisor", licence: "commercial", scale: "production" },
  },
  {
    id: "ec2",
    name: "AWS EC2",
    key: { kind: "vm", distribution: "public-cloud", level: "application", licence: "commercial" },
  },
  {
    id: "vagrant",
    name: "Vagrant",
    key: { kind: "environment", distribution: "installed", level: "application", scale: "workstation" },
  },
  {
    id: "docker",
    name: "Docker",
    key: { kind: "container", distribution: "installed", level: "application", licence: "open-source" },
  },
  {
    id: "openstack",
    name: "OpenStack",
    key: { kind: "private-cloud", distribution: "installed", level: "application" },
  },
  {
    id: "mesos",
    name: "Apache Mesos",
    key: { kind: "private-cloud", distribution: "installed", level: "application" },
  },
];

/** The answer key of one cell, e.g. `kvm.level`. */
export function cellKey(product: string, dimension: Dimension): string {
  return `${product}.${dimension}`;
}

/** Every cell the exercise asks about, with its right answer. */
export function askedCells(): { key: string; product: string; dimension: Dimension; answer: string }[] {
  return PRODUCTS.flatMap((p) =>
    DIMENSIONS.filter((d) => p.key[d.id] !== undefined).map((d) => ({
      key: cellKey(p.id, d.id),
      product: p.id,
      dimension: d.id,
      answer: p.key[d.id]!,
    })),
  );
}

export interface ClassificationResult {
  total: number;
  correct: number;
  /** Cells answered wrongly. */
  wrong: string[];
  /** Cells not answered yet. */
  missing: string[];
}

/** Checks the student's answers (cell key → option id) against the key. */
export function checkClassification(answers: Readonly<Record<string, string | undefined>>): ClassificationResult {
  const cells = askedCells();
  const wrong: string[] = [];
  const missing: string[] = [];
  for (const cell of cells) {
    const given = answers[cell.key];
    if (!given) missing.push(cell.key);
    else if (given !== cell.answer) wrong.push(cell.key);
  }
  return { total: cells.length, correct: cells.length - wrong.length - missing.length, wrong, missing };
}
