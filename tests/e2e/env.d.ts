import type { Hypervisor } from "@hyperlab/core";

declare global {
  interface Window {
    hyperlab: Hypervisor;
  }
}
