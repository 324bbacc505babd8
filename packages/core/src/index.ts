export { HyperlabError, isHyperlabError, describeError, type ErrorCode, type SerializedError } from "./errors.js";
export { Emitter, type Disposable } from "./events.js";
export {
  validateSpec,
  checkSpecAgainstImage,
  isPowerOfTwo,
  DEFAULT_WEIGHT,
  MAX_MEMORY_MIB,
  type GuestSpec,
  type ResolvedSpec,
  type UserImage,
  type ConsoleKind,
  type ConsoleChoice,
  type NicModel,
} from "./spec.js";
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
export { ALLOWED, isAllowed, type GuestState, type GuestAction } from "./guest/state.js";
export {
  Guest,
  type GuestEvents,
  type GuestStateEvent,
  type GuestOutputEvent,
  type ExecResult,
  type WaitOptions,
  type GuestMetrics,
} from "./guest/guest.js";
export {
  Hypervisor,
  DEFAULT_MEMORY_BUDGET_MIB,
  type HypervisorOptions,
  type HypervisorEvents,
  type MemoryReport,
} from "./hypervisor.js";
export {
  browserWorkerChannel,
  type ChannelFactory,
  type GuestChannel,
  type BrowserWorkerLike,
} from "./runner/channel.js";
export type {
  MachineConfig,
  MachineCounters,
  MachineSample,
  BalloonReport,
  HostMessage,
  WorkerMessage,
} from "./protocol.js";
export { SAMPLE_INTERVAL_MS } from "./protocol.js";
export { allocate, estimateDemand, type SchedulerEntry, type Allocation } from "./scheduler/scheduler.js";
export { parseLab, guestSpec, type Lab, type LabGuest, type LabSegment } from "./lab/lab.js";
export { HttpImageSource } from "./images/http.js";
