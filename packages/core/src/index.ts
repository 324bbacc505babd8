export { HyperlabError, isHyperlabError, describeError, type ErrorCode, type SerializedError } from "./errors.js";
export { Emitter, type Disposable } from "./events.js";
export {
  validateSpec,
  checkSpecAgainstImage,
  isPowerOfTwo,
  isName,
  NAME_RULE,
  DEFAULT_WEIGHT,
  MAX_MEMORY_MIB,
  type GuestSpec,
  type ResolvedSpec,
  type UserImage,
  type ConsoleKind,
  type ConsoleChoice,
  type NicModel,
  type StorageChoice,
} from "./spec.js";
export {
  DEVICE_KEYS,
  addSample,
  addDeviceProbe,
  emptyTotals,
  emptyDeviceProbe,
  type DeviceKey,
  type DeviceProbe,
  type QueueProbe,
  type ProbeSample,
  type ProbeTotals,
  type WidthCounts,
} from "./probes/metrics.js";
export { queueName, type QueueDescription } from "./probes/queue-names.js";
export {
  DEVICES,
  DEVICE_PAIRS,
  type DeviceDescription,
  type DeviceModel,
  type DevicePair,
  type PairId,
} from "./devices/catalog.js";
export { TEST_DATA_FILE, TEST_DATA_KIB } from "./test-data.js";
export {
  WORKLOAD_PAIRS,
  pathSpec,
  canRunPath,
  pathDevice,
  pathCommand,
  controlConsole,
  workloadKiB,
  runPath,
  type PathResult,
  type WorkloadPair,
} from "./workloads/paths.js";
export { parseManifest, type Manifest, type ImageEntry, type ImageKind, type ManifestFile } from "./images/manifest.js";
export { detectImageKind, checkUserImage, padTo512, MAX_USER_IMAGE_BYTES } from "./images/detect.js";
export {
  ImageCatalog,
  sha256Hex,
  USER_IMAGE_MIN_MIB,
  type ImageSource,
  type BootFiles,
  type LoadProgress,
} from "./images/catalog.js";
export {
  ALLOWED,
  LIVE,
  HOLDS_MEMORY,
  RUN_ENDED,
  assertAllowed,
  isAllowed,
  isLive,
  type GuestState,
  type GuestAction,
} from "./guest/state.js";
export {
  Guest,
  type GuestEvents,
  type GuestStateEvent,
  type GuestOutputEvent,
  type ExecResult,
  type WaitOptions,
  type GuestMetrics,
  type GuestProbesEvent,
} from "./guest/guest.js";
export {
  Hypervisor,
  DEFAULT_MEMORY_BUDGET_MIB,
  type HypervisorOptions,
  type HypervisorEvents,
  type MemoryReport,
  type FitReport,
} from "./hypervisor.js";
export { GUEST_OVERHEAD_MIB, type Platform } from "./admission/overhead.js";
export { browserMemoryBudgetMiB, nodeMemoryBudgetMiB } from "./admission/budget.js";
export {
  browserWorkerChannel,
  type ChannelFactory,
  type GuestChannel,
  type BrowserWorkerLike,
} from "./worker/channel.js";
export { keepSpare, type SpareChannelFactory } from "./worker/spare.js";
export type {
  MachineConfig,
  MachineCounters,
  MachineSample,
  BalloonReport,
  HostMessage,
  WorkerMessage,
} from "./worker/protocol.js";
export { SAMPLE_INTERVAL_MS } from "./worker/protocol.js";
export { allocate, estimateDemand, type SchedulerEntry, type Allocation } from "./scheduler/scheduler.js";
export { parseLab, validateLab, guestSpec, type Lab, type LabGuest, type LabSegment } from "./lab/lab.js";
export { checkFlavor, flavorOf, flavorSize, type Flavor } from "./lab/flavor.js";
export { startLab, DEFAULT_LAB_TIMEOUT_MS, type StartLabOptions, type LabProgress } from "./lab/start.js";
export { HttpImageSource } from "./images/http.js";
export * from "./snapshot/index.js";
export { makeHosts, type Host, type HostSpec, type MigrationReport } from "./hosts/host.js";
export type { ReadySnapshotFile } from "./images/manifest.js";
export * from "./network/index.js";
