/**
 * The guest's NIC (net0) with the hypervisor's switch as its backend: v86 emits `net0-send`
 * for every frame the guest transmits and takes `net0-receive` for frames to it. v86 picks a
 * random MAC per instance (00:22:15:xx:xx:xx, src/ne2k.js and src/virtio_net.js); we set the
 * spec's MAC before the guest's driver reads it, so addresses are the same on every boot.
 */
import { MAX_FRAME, parseMac, writeMac } from "../network/frame.js";
import { internals, type V86 } from "./v86-internals.js";

/** Sets the NIC's MAC and forwards what it sends to `send` (a copy the caller may transfer). */
export function plugNic(emulator: V86, mac: string | undefined, send: (frame: Uint8Array) => void): void {
  const devices = internals(emulator).v86.cpu.devices;
  if (!devices.net && !devices.virtio_net) return;
  if (mac) {
    const bytes = new Uint8Array(6);
    writeMac(bytes, 0, parseMac(mac));
    if (devices.net) {
      devices.net.mac.set(bytes);
      for (let i = 0; i < 6; i++) devices.net.memory[i << 1] = devices.net.memory[(i << 1) | 1] = bytes[i];
    }
    if (devices.virtio_net) devices.virtio_net.mac.set(bytes);
  }
  // The NE2000 hands out a view of its own buffer memory: copy before it is reused.
  emulator.add_listener("net0-send", (frame) => {
    if (frame instanceof Uint8Array && frame.length <= 65536) send(frame.slice());
  });
}

/** Gives the NIC a frame from the switch (anything too big for Ethernet is refused here too). */
export function receiveOnNic(emulator: V86, frame: Uint8Array): void {
  if (frame.length > MAX_FRAME) return;
  const em = internals(emulator);
  // A virtio-net driver without receive buffers posted (not loaded yet, or overrun) cannot take
  // the frame: v86 would drop it too, but print "No buffer to write into!" for each one.
  const virtio = em.v86.cpu.devices.virtio_net;
  if (virtio && !virtio.virtio.queues[0]?.has_request()) return;
  em.bus.send("net0-receive", frame);
}

/** virtio's device status bit: the driver is set up and may be interrupted. */
const DRIVER_OK = 4;

/**
 * Tells the NIC whether its cable is plugged in. A virtio-net device says so in its status
 * field and raises a configuration change, so the guest's driver sees the carrier come and go
 * (`ip link` shows NO-CARRIER). An NE2000 has no link status: its guest cannot tell.
 */
export function setNicLink(emulator: V86, up: boolean, { force = false } = {}): void {
  const virtio = internals(emulator).v86.cpu.devices.virtio_net;
  if (!virtio) return;
  const changed = (virtio.status & 1) !== Number(up);
  virtio.status = up ? 1 : 0;
  // `force`: a restored guest's driver may remember another link state than the device has.
  if ((changed || force) && virtio.virtio.device_status & DRIVER_OK) virtio.virtio.notify_config_changes();
}
