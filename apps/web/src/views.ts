/** The views of the lab, in the order of the navigation bar; each has a `nav.<id>` label. */
export const VIEWS = ["instances", "scheduler", "network", "hosts"] as const;
export type ViewId = (typeof VIEWS)[number];
