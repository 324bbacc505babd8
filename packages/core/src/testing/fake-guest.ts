/** Just enough of a Guest for unit tests of the network: a name, a NIC, frames and state events. */
import { Emitter } from "../events.js";
import type { Guest } from "../guest/guest.js";
import type { Network } from "../network/network.js";

export class FakeGuest extends Emitter<{
  "guest:frame": { guest: Guest; bytes: Uint8Array };
  "guest:state": { state: string };
}> {
  readonly received: Uint8Array[] = [];
  cable = true;
  constructor(
    readonly name: string,
    readonly spec: { net: string; mac?: string },
  ) {
    super();
  }
  sendFrame(frame: Uint8Array): boolean {
    this.received.push(frame);
    return true;
  }
  /** The guest's NIC sends a frame. */
  send(bytes: Uint8Array): void {
    this.emit("guest:frame", { guest: this as unknown as Guest, bytes });
  }
  setState(state: string): void {
    this.emit("guest:state", { state });
  }
  setCable(up: boolean): void {
    this.cable = up;
  }
}

/** A fake guest with a NIC, plugged into `network`'s default segment. */
export function plugIn(network: Network, name: string, net = "virtio"): FakeGuest {
  const guest = new FakeGuest(name, { net });
  guest.spec.mac = network.assignMac(name);
  network.attach(guest as unknown as Guest);
  return guest;
}
