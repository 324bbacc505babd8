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
  type NetworkOptions,
} from "./network.js";
export { DhcpServer, parseSubnet, type Lease, type Subnet, type DhcpCounters } from "./dhcp.js";
export { Capture, dropNote, type CaptureTarget, type CaptureOptions, type DroppedFrame } from "./capture.js";
export { encodePcap, parsePcap, LINKTYPE_ETHERNET, type CapturedFrame, type PcapFile } from "./pcap.js";
export { encodePcapng, parsePcapng, type NotedFrame, type PcapngFile } from "./pcapng.js";
export { SecurityGroups, type SecurityGroupInfo, type RuleInfo } from "./security-groups.js";
export {
  RULE_PROTOCOLS,
  checkGroups,
  describeRule,
  parseCidr,
  type RuleProtocol,
  type SecurityRule,
  type SecurityGroupSpec,
} from "./security-rules.js";
export {
  ConnectionTable,
  DEFAULT_TIMEOUTS,
  type Connection,
  type ConnectionTimeouts,
  type Opener,
} from "./connections.js";
export { flowOf, type Flow } from "./flow.js";
export { RateLimiter, TokenBucket, type RateLimit, type BucketConfig, type Clock } from "./rate-limiter.js";
export { summarize, formatMac, parseMac, formatIp, parseIp, MAX_FRAME, type FrameSummary } from "./frame.js";
export { leaseAddress } from "./guest-dhcp.js";
