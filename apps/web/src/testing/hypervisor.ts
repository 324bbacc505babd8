import { Hypervisor, ImageCatalog, type HostSpec } from "@hyperlab/core";

const ZERO_BYTE_SHA256 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";

/**
 * For unit tests: a hypervisor whose catalog has one image ("linux") of one-byte files and
 * whose workers never start, so that guests are created (and can be terminated) but not run.
 */
export function createdOnlyHypervisor(hosts?: HostSpec[]): Hypervisor {
  const manifest = {
    version: 1,
    images: [
      {
        id: "linux",
        title: "Linux",
        kind: "bzimage",
        files: Object.fromEntries(
          ["bzimage", "bios", "vgaBios"].map((f) => [f, { path: f, size: 1, sha256: ZERO_BYTE_SHA256 }]),
        ),
        minMemoryMiB: 32,
        defaultMemoryMiB: 32,
        drivers: [],
      },
    ],
  };
  const source = { where: "memory", readManifest: async () => manifest, read: async () => new Uint8Array(1) };
  return new Hypervisor({ catalog: new ImageCatalog(source), channel: () => undefined as never, hosts });
}
