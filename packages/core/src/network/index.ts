export {
  VirtualSwitch,
  SwitchPort,
  DROP_REASONS,
  type DropReason,
  type PortCounters,
  type PortOptions,
  type SwitchOptions,
  type SwitchEvent,
  type MacEntry,
} from "./switch.js";
export {
  Network,
  DEFAULT_SEGMENT,
  FIRST_GUEST_HOST,
  type NetworkEvents,
  type PacketEvent,
  type PortInfo,
  type SegmentInfo,
} from "./network.js";
export { DhcpServer, parseSubnet, type Lease, type Subnet, type DhcpCounters } from "./dhcp.js";
export { Capture, type CaptureTarget, type CaptureOptions } from "./capture.js";
export { encodePcap, parsePcap, LINKTYPE_ETHERNET, type CapturedFrame, type PcapFile } from "./pcap.js";
export { RateLimiter, TokenBucket, type RateLimit, type BucketConfig, type Clock } from "./rate-limiter.js";
export { summarize, formatMac, parseMac, formatIp, parseIp, MAX_FRAME, type FrameSummary } from "./frame.js";
export { leaseAddress, dhcpCommand, UDHCPC_SCRIPT } from "./guest-dhcp.js";
