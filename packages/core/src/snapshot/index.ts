export {
  SNAPSHOT_MAGIC,
  SNAPSHOT_FORMAT_VERSION,
  V86_VERSION,
  STATE_FIELDS,
  encodeSnapshot,
  readSnapshot,
  snapshotState,
  incompatibility,
  assertCompatible,
  imageSha256,
  gzip,
  gunzip,
  type Snapshot,
  type SnapshotHeader,
  type SnapshotSpec,
} from "./format.js";
export {
  SNAPSHOT_EXTENSION,
  snapshotId,
  checkSnapshotId,
  missingSnapshot,
  type SnapshotInfo,
  type SnapshotStore,
} from "./store.js";
export { makeHosts, type Host, type HostSpec, type MigrationReport } from "./host.js";
