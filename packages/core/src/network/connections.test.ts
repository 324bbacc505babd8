import { describe, expect, it } from "vitest";
import { ACK, echo, SYN, tcp, udp, unreachable } from "../testing/frames.js";
import { ConnectionTable } from "./connections.js";
import { flowOf, type Flow } from "./flow.js";

const GUEST = "10.0.1.10";
const PEER = "10.0.1.11";
const PORT = 1;

function setup(options: ConstructorParameters<typeof ConnectionTable>[1] = {}) {
  let now = 0;
  const table = new ConnectionTable(() => now, options);
  return { table, advance: (ms: number) => (now += ms) };
}

const flow = (frame: Uint8Array): Flow => flowOf(frame)!;
const out = { from: GUEST, to: PEER };
const back = { from: PEER, to: GUEST };

describe("ConnectionTable", () => {
  it("lets the answers to a TCP connection the guest opened back in, and only those", () => {
    const { table } = setup();
    table.sent(PORT, flow(tcp({ ...out, sport: 40000, dport: 8080, flags: SYN })));
    expect(table.answers(PORT, flow(tcp({ ...back, sport: 8080, dport: 40000, flags: SYN | ACK })))).toBe(true);
    // Another port of the peer, another local port, another guest's port: not answers.
    expect(table.answers(PORT, flow(tcp({ ...back, sport: 8081, dport: 40000 })))).toBe(false);
    expect(table.answers(PORT, flow(tcp({ ...back, sport: 8080, dport: 40001 })))).toBe(false);
    expect(table.answers(2, flow(tcp({ ...back, sport: 8080, dport: 40000 })))).toBe(false);
    expect(table.list(PORT)).toEqual([
      expect.objectContaining({ local: GUEST, localPort: 40000, remote: PEER, remotePort: 8080, opener: "guest" }),
    ]);
  });

  it("does not take a TCP segment without SYN as a connection the guest opened", () => {
    const { table } = setup();
    // The guest answering (SYN-ACK, data) a connection it did not open opens nothing.
    table.sent(PORT, flow(tcp({ ...out, sport: 80, dport: 40000, flags: SYN | ACK })));
    table.sent(PORT, flow(tcp({ ...out, sport: 80, dport: 40000, flags: ACK })));
    expect(table.answers(PORT, flow(tcp({ ...back, sport: 40000, dport: 80 })))).toBe(false);
    expect(table.size).toBe(0);
  });

  it("keeps a flow a rule let in as the peer's, so the guest's answers do not make it the guest's", () => {
    const { table } = setup();
    const query = flow(udp({ ...back, sport: 5353, dport: 53 }));
    table.admitted(PORT, query);
    table.sent(PORT, flow(udp({ ...out, sport: 53, dport: 5353 })));
    expect(table.answers(PORT, query)).toBe(false);
    expect(table.list()).toEqual([expect.objectContaining({ opener: "peer", localPort: 53, remotePort: 5353 })]);
  });

  it("matches echo replies by identifier, never an echo request, and ICMP errors about the guest's packets", () => {
    const { table } = setup();
    table.sent(PORT, flow(echo({ ...out, type: 8, id: 7 })));
    expect(table.answers(PORT, flow(echo({ ...back, type: 0, id: 7 })))).toBe(true);
    expect(table.answers(PORT, flow(echo({ ...back, type: 0, id: 8 })))).toBe(false);
    expect(table.answers(PORT, flow(echo({ ...back, type: 8, id: 7 })))).toBe(false);

    const query = udp({ ...out, sport: 5000, dport: 53 });
    table.sent(PORT, flow(query));
    expect(table.answers(PORT, flow(unreachable({ ...back, about: query })))).toBe(true);
    const other = udp({ ...out, sport: 5001, dport: 53 });
    expect(table.answers(PORT, flow(unreachable({ ...back, about: other })))).toBe(false);
  });

  it("gives the guest its own ping whose identifier a peer's ping had (two guests' pids often agree)", () => {
    const { table } = setup();
    table.admitted(PORT, flow(echo({ ...back, type: 8, id: 54 })));
    table.sent(PORT, flow(echo({ ...out, type: 0, id: 54 }))); // the guest answers: still the peer's
    expect(table.answers(PORT, flow(echo({ ...back, type: 0, id: 54 })))).toBe(false);
    table.sent(PORT, flow(echo({ ...out, type: 8, id: 54 }))); // the guest pings with the same identifier
    expect(table.answers(PORT, flow(echo({ ...back, type: 0, id: 54 })))).toBe(true);
  });

  it("forgets a connection idle for longer than its protocol's timeout", () => {
    const { table, advance } = setup({ timeouts: { udp: 30_000, tcp: 300_000 } });
    table.sent(PORT, flow(udp({ ...out, sport: 5000, dport: 53 })));
    table.sent(PORT, flow(tcp({ ...out, sport: 40000, dport: 80, flags: SYN })));
    advance(20_000);
    expect(table.answers(PORT, flow(udp({ ...back, sport: 53, dport: 5000 })))).toBe(true); // refreshed
    advance(29_000);
    expect(table.answers(PORT, flow(udp({ ...back, sport: 53, dport: 5000 })))).toBe(true);
    advance(30_001);
    expect(table.answers(PORT, flow(udp({ ...back, sport: 53, dport: 5000 })))).toBe(false);
    expect(table.answers(PORT, flow(tcp({ ...back, sport: 80, dport: 40000 })))).toBe(true);
  });

  it("stays within its size, dropping the least recently used connection", () => {
    const { table } = setup({ maxEntries: 3 });
    for (const sport of [1, 2, 3]) table.sent(PORT, flow(udp({ ...out, sport, dport: 53 })));
    expect(table.answers(PORT, flow(udp({ ...back, sport: 53, dport: 1 })))).toBe(true); // 1 is used again
    table.sent(PORT, flow(udp({ ...out, sport: 4, dport: 53 })));
    expect(table.size).toBe(3);
    expect(table.evicted).toBe(1);
    expect(table.list().map((c) => c.localPort)).toEqual([3, 1, 4]);
    table.forgetPort(PORT);
    expect(table.size).toBe(0);
  });
});
