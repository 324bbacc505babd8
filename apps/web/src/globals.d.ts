import type { Hypervisor } from "@hyperlab/core";

declare global {
  interface Window {
    /** The page's hypervisor (see apps/web/README.md). */
    hyperlab: Hypervisor;
  }
}
