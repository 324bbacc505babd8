import { kinds } from "./content/01-kinds";
import { hypervisor } from "./content/02-hypervisor";
import { types } from "./content/03-types";
import { vendors } from "./content/04-vendors";
import { kvmXen } from "./content/05-kvm-xen";
import { choosing } from "./content/06-choosing";
import { iaas } from "./content/07-iaas";
import type { Lesson } from "./model";

/** The lessons in lecture order, one per part of the lecture. */
export const LESSONS: readonly Lesson[] = [kinds, hypervisor, types, vendors, kvmXen, choosing, iaas];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
