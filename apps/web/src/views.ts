/** The views of the lab, in the order of the navigation bar; each has a `nav.<id>` label. */
export const VIEWS = ["instances", "scheduler", "network", "security", "paths", "hosts", "lessons"] as const;
export type ViewId = (typeof VIEWS)[number];
