import { parseLab, startLab as startLabOn, type Guest, type Hypervisor, type Lab } from "@hyperlab/core";

/** The lessons' lab files, the same JSON `hyperlab up <file>` reads. */
const FILES = import.meta.glob<string>("./labs/*.lab.json", { query: "?raw", import: "default", eager: true });

export const LABS: Record<string, Lab> = Object.fromEntries(
  Object.entries(FILES).map(([path, source]) => {
    const lab = parseLab(source, path.replace("./", "lessons/"));
    return [lab.name, lab];
  }),
);

/** The lab file's path in the repository, for `hyperlab up`. */
export function labPath(name: string): string {
  return `apps/web/src/lessons/labs/${name}.lab.json`;
}

/**
 * Starts a lesson's lab on the page's hypervisor with the core's startLab, as `hyperlab up`
 * does: guests boot from their image's ready snapshot when one fits, and guests the lab
 * already has are taken as they are (started if off), so pressing the button again finishes a
 * lab. A lab that fails half way leaves none of the guests it created.
 */
export function startLab(hv: Hypervisor, lab: Lab): Promise<Guest[]> {
  return startLabOn(hv, lab, { instant: true, adopt: true, source: labPath(lab.name) });
}
