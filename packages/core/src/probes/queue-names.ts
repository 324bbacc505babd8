/**
 * The virtio spec's names for each virtio device's queues. The probes name the queues they
 * report with these (QueueProbe.name), and the device descriptions list them: both read
 * them from here, so the machine does not depend on the teaching descriptions.
 */
import type { DeviceKey } from "./metrics.js";

export interface QueueDescription {
  index: number;
  /** The virtio spec's name for the queue. */
  name: string;
}

export const VIRTIO_QUEUES: Record<
  "virtio-console" | "virtio-net" | "virtio-9p" | "virtio-balloon",
  QueueDescription[]
> = {
  "virtio-console": [
    { index: 0, name: "receiveq (port 0)" },
    { index: 1, name: "transmitq (port 0)" },
    { index: 2, name: "control receiveq" },
    { index: 3, name: "control transmitq" },
  ],
  "virtio-net": [
    { index: 0, name: "receiveq1" },
    { index: 1, name: "transmitq1" },
    { index: 2, name: "controlq" },
  ],
  "virtio-9p": [{ index: 0, name: "requestq" }],
  "virtio-balloon": [
    { index: 0, name: "inflateq" },
    { index: 1, name: "deflateq" },
    { index: 2, name: "statsq" },
    { index: 3, name: "free_page_vq" },
  ],
};

/** The queue's name, or "queue N". */
export function queueName(device: DeviceKey, index: number): string {
  const byDevice: Partial<Record<DeviceKey, QueueDescription[]>> = VIRTIO_QUEUES;
  const known = byDevice[device]?.find((q) => q.index === index);
  if (known) return known.name;
  // virtio-console: ports 1–3 each have a receiveq and a transmitq after the control queues.
  if (device === "virtio-console" && index >= 4)
    return `${index % 2 === 0 ? "receiveq" : "transmitq"} (port ${(index - 2) >> 1})`;
  return `queue ${index}`;
}
