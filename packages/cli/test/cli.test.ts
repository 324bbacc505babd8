/**
 * Integration: the built `hyperlab` executable boots the real default image. Every
 * assertion is on what a user sees: stdout, one `error <code>: …` line on stderr, the status.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parsePcap, parsePcapng, summarize } from "@hyperlab/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { finished, hyperlab, killAll, REPO, start } from "./hyperlab.js";

const tmp = mkdtempSync(join(tmpdir(), "hyperlab-cli-"));
afterEach(killAll);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The guests may boot slowly on a busy machine; the tests bound them, not the CLI's default. */
const TIMEOUT = ["--timeout", "180"];
const IMAGES = join(REPO, "images");

function expectOneErrorLine(stderr: string, code: string): void {
  expect(stderr).toMatch(new RegExp(`^error ${code}: \\S.*\\n$`));
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("hyperlab run --exec", () => {
  it("prints the command's output and exits 0", async () => {
    const result = await hyperlab(["run", "linux", ...TIMEOUT, "--exec", "uname -a"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Linux /);
  });

  it("runs the command on hvc0 with --console virtio", async () => {
    const result = await hyperlab(["run", "linux", "--console", "virtio", ...TIMEOUT, "--exec", "tty"]);
    expect(result).toEqual({ code: 0, stdout: "/dev/hvc0\n", stderr: "" });
  });

  it("exits with the command's status and says so in one line", async () => {
    const result = await hyperlab(["run", "linux", ...TIMEOUT, "--exec", "exit 3"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('error command-failed: "exit 3" exited with status 3\n');
  });

  it("boots an odd-sized bzImage the user brings (the core pads it)", async () => {
    const kernel = readFileSync(join(IMAGES, "linux", "bzImage"));
    const odd = join(tmp, "odd-bzImage");
    // One zero byte more when needed for an odd size (so not a multiple of 512, which v86 needs).
    writeFileSync(odd, kernel.length % 2 === 0 ? Buffer.concat([kernel, Buffer.from([0])]) : kernel);
    expect(readFileSync(odd).length % 2).toBe(1);
    const result = await hyperlab(["run", odd, ...TIMEOUT, "--exec", "uname -m"]);
    expect(result).toEqual({ code: 0, stdout: "i686\n", stderr: "" });
  });
});

describe("hyperlab run refuses what cannot boot", () => {
  it.each([
    [["linux", "--memory", "48"], "memory-not-power-of-two"],
    [["linux", "--memory", "16"], "memory-too-small"],
    [["no-such-image"], "unknown-image"],
    [["./no-such-file.img"], "image-missing"],
    [["packages/cli/package.json"], "not-bootable"],
    [["linux", "--initrd", "x.img"], "usage"],
    [["linux", "--bogus"], "usage"],
    [["linux", "--memory", "lots"], "usage"],
  ])("run %j → error %s", async (args, code) => {
    const result = await hyperlab(["run", ...args, "--exec", "true"]);
    expect(result.code).toBe(code === "usage" ? 2 : 1);
    expect(result.stdout).toBe("");
    expectOneErrorLine(result.stderr, code);
  });

  it("refuses a catalog image whose file is damaged", async () => {
    const images = join(tmp, "images");
    const manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as {
      images: { files: Record<string, { path: string }> }[];
    };
    for (const file of manifest.images.flatMap((image) => Object.values(image.files))) {
      mkdirSync(dirname(join(images, file.path)), { recursive: true });
      copyFileSync(join(IMAGES, file.path), join(images, file.path));
    }
    copyFileSync(join(IMAGES, "manifest.json"), join(images, "manifest.json"));
    const kernel = readFileSync(join(images, "linux", "bzImage"));
    kernel[kernel.length >> 1] ^= 0xff;
    writeFileSync(join(images, "linux", "bzImage"), kernel);
    const result = await hyperlab(["run", "linux", "--exec", "true"], { HYPERLAB_IMAGES: images });
    expect(result.code).toBe(1);
    expectOneErrorLine(result.stderr, "image-corrupt");
  });
});

describe("hyperlab run with snapshots", () => {
  it("starts from the image's ready snapshot with --instant", async () => {
    const command = ["--exec", "hostname; cat /proc/cmdline"];
    const instant = await hyperlab(["run", "linux", "--instant", ...TIMEOUT, ...command]);
    const cold = await hyperlab(["run", "linux", ...TIMEOUT, ...command]);
    expect([instant.code, cold.code]).toEqual([0, 0]);
    const [name, cmdline] = instant.stdout.trim().split("\n");
    // Named "linux" like a cold-booted guest, but its kernel is the one that booted for the
    // ready snapshot: it was not started with this guest's command line.
    expect(name).toBe("linux");
    expect(cmdline).not.toContain("hyperlab.name=linux");
    expect(cold.stdout).toContain("hyperlab.name=linux");
  });

  it("saves a snapshot after --exec with --save, and starts from it with --from, files and all", async () => {
    const file = join(tmp, "after.hlsnap");
    const saved = await hyperlab(["run", "linux", ...TIMEOUT, "--exec", "echo kept > /root/note", "--save", file]);
    expect(saved).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(file).subarray(0, 8).toString("latin1")).toBe("HLSNAP\r\n");
    const again = await hyperlab(["run", "--from", file, ...TIMEOUT, "--exec", "cat /root/note"]);
    expect(again).toEqual({ code: 0, stdout: "kept\n", stderr: "" });
  });

  it("refuses a file that is no snapshot with one line", async () => {
    const file = join(tmp, "notes.hlsnap");
    writeFileSync(file, "not a snapshot\n");
    const result = await hyperlab(["run", "--from", file, "--exec", "true"]);
    expect(result.code).toBe(1);
    expectOneErrorLine(result.stderr, "snapshot-corrupt");
  });
});

describe("hyperlab run --expect", () => {
  it("exits 0 once the pattern appears on a console", async () => {
    const result = await hyperlab(["run", "linux", ...TIMEOUT, "--expect", "hyperlab: re[a]dy"]);
    expect(result).toEqual({ code: 0, stdout: "hyperlab: ready\n", stderr: "" });
  });

  it("exits 1 with the last console lines when it does not", async () => {
    const result = await hyperlab(["run", "linux", "--timeout", "3", "--expect", "will never appear"]);
    expect(result.code).toBe(1);
    expectOneErrorLine(result.stderr, "boot-timeout");
  });
});

describe("hyperlab run without --exec", () => {
  it("passes piped input to the shell and quits on Ctrl-A x", async () => {
    const child = start(["run", "linux", ...TIMEOUT]);
    const done = finished(child);
    let seen = "";
    let typed = false;
    child.stdout.on("data", (data: Buffer) => {
      seen += data.toString();
      if (!typed && seen.includes("hyperlab: ready")) {
        typed = true;
        child.stdin.write("echo hi-$((6*7))\n");
      }
      if (typed && /hi-42\r?\n/.test(seen)) child.stdin.write(Buffer.from([0x01, 0x78]));
    });
    const result = await done;
    expect(result.stdout).toMatch(/hi-42\r?\n/);
    expect(result).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("hyperlab up", () => {
  it("starts a lab's guests and runs commands in them, prefixed with their names", async () => {
    const lab = "packages/core/labs/three-guests.lab.json";
    const result = await hyperlab(["up", lab, ...TIMEOUT, "--exec", "a:echo A", "--exec", "c:uname -m"]);
    expect(result).toEqual({ code: 0, stdout: "a: A\nc: i686\n", stderr: "" });
  });

  it("refuses an --exec for a guest the lab does not have, before booting", async () => {
    const result = await hyperlab(["up", "packages/core/labs/pair.lab.json", "--exec", "zed:true"]);
    expect(result.code).toBe(2);
    expectOneErrorLine(result.stderr, "usage");
  });

  it("refuses a lab file with a mistake, naming the field", async () => {
    const lab = join(tmp, "bad.lab.json");
    writeFileSync(lab, JSON.stringify({ version: 1, name: "bad", guests: [{ name: "a", image: "linux", ram: 1 }] }));
    const result = await hyperlab(["up", lab]);
    expect(result.code).toBe(1);
    expectOneErrorLine(result.stderr, "invalid-spec");
    expect(result.stderr).toMatch(/unknown field "ram"/);
  });
});

describe("hyperlab up --capture and security groups", () => {
  /**
   * `cmd` once the guest's eth0 has its address: up returns when the segment's server has
   * acknowledged the lease, which can be a moment before the guest's udhcpc script applies it.
   */
  const addressed = (cmd: string) => `until ip -4 addr show eth0 | grep -q inet; do sleep 0.1; done; ${cmd}`;

  it("writes a pcap of what crossed the switch, which holds the ICMP of a ping", async () => {
    const file = join(tmp, "pair.pcap");
    const lab = "packages/core/labs/pair.lab.json";
    const result = await hyperlab([
      "up",
      lab,
      ...TIMEOUT,
      "--capture",
      file,
      "--exec",
      `bob:${addressed("true")}`,
      "--exec",
      `alice:${addressed("ping -c 2 -W 3 10.0.1.11")}`,
    ]);
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("alice: 2 packets transmitted, 2 packets received"),
    });
    expect(result.stderr).toMatch(new RegExp(`^hyperlab: capture: \\d+ frames in ${file}\n$`));
    const pcap = parsePcap(readFileSync(file));
    expect(pcap.linkType).toBe(1);
    const icmp = pcap.frames.map((f) => summarize(f.bytes)).filter((s) => s.protocol === "ICMP");
    const requests = icmp.filter((s) => s.info.startsWith("echo request") && s.source === "10.0.1.10");
    const replies = icmp.filter((s) => s.info.startsWith("echo reply") && s.source === "10.0.1.11");
    expect([requests.length, replies.length]).toEqual([2, 2]);
    // The guests' DHCP happened after the capture began.
    expect(pcap.frames.some((f) => summarize(f.bytes).protocol === "DHCP")).toBe(true);
    expect(existsSync(join(tmp, "pair.dropped.pcapng"))).toBe(false);
  });

  it("holds a lab's guests to its security groups, and writes the frames they drop beside the capture", async () => {
    const file = join(tmp, "web.pcap");
    const result = await hyperlab([
      "up",
      "packages/core/labs/web.lab.json",
      ...TIMEOUT,
      "--capture",
      file,
      "--capture-segment",
      "lan",
      "--exec",
      `web:${addressed("mkdir -p /www && echo hello-from-web > /www/index.html && httpd -h /www")}`,
      "--exec",
      `client:${addressed("wget -q -O - http://10.0.1.10/")}`,
      "--exec",
      "client:ping -c 1 -W 2 10.0.1.10",
    ]);
    // tcp/80 from the segment is allowed; ping only from the group admin, which the client is not in.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("client: hello-from-web\n");
    expect(result.stdout).toContain("client: 1 packets transmitted, 0 packets received");
    const [failed, captured] = result.stderr.trimEnd().split("\n");
    expect(failed).toBe('error command-failed: "ping -c 1 -W 2 10.0.1.10" exited with status 1 in guest client');
    expect(captured).toMatch(
      /^hyperlab: capture: \d+ frames in .*web\.pcap; \d+ dropped frames \(securityGroup \d+\) in .*web\.dropped\.pcapng$/,
    );
    const dropped = parsePcapng(readFileSync(join(tmp, "web.dropped.pcapng")));
    const ping = dropped.frames.find((f) => summarize(f.bytes).info.startsWith("echo request"));
    expect(ping?.note).toBe("dropped on the way to web: securityGroup");
    expect(summarize(ping!.bytes)).toMatchObject({ source: "10.0.1.11", destination: "10.0.1.10" });
    // The pcap has what entered the switch: the ping too, and the HTTP that was let through.
    const crossed = parsePcap(readFileSync(file)).frames.map((f) => summarize(f.bytes));
    expect(crossed.some((s) => s.protocol === "TCP" && s.info.includes("→ 80 [SYN]"))).toBe(true);
    expect(crossed.some((s) => s.info.startsWith("echo request") && s.destination === "10.0.1.10")).toBe(true);
  });

  it("refuses --capture-segment for a segment the lab does not have, before booting", async () => {
    const result = await hyperlab([
      "up",
      "packages/core/labs/pair.lab.json",
      "--capture",
      join(tmp, "x.pcap"),
      "--capture-segment",
      "dmz",
    ]);
    expect(result.code).toBe(2);
    expectOneErrorLine(result.stderr, "usage");
    expect(result.stderr).toMatch(/has default, lan/);
  });

  it("refuses a lab whose rule has port 70000, naming the group and the rule", async () => {
    const lab = join(tmp, "bad-rule.lab.json");
    const securityGroups = [{ name: "web", rules: [{ protocol: "tcp", ports: "70000", source: "0.0.0.0/0" }] }];
    writeFileSync(
      lab,
      JSON.stringify({ version: 1, name: "bad", securityGroups, guests: [{ name: "a", image: "linux" }] }),
    );
    const result = await hyperlab(["up", lab]);
    expect(result.code).toBe(1);
    expectOneErrorLine(result.stderr, "invalid-spec");
    expect(result.stderr).toMatch(/Security group "web", rule 1: the ports "70000" are not a port from 1 to 65535/);
  });
});

describe("hyperlab images and help", () => {
  it("lists the catalog as JSON", async () => {
    const result = await hyperlab(["images", "--json"]);
    expect(result.code).toBe(0);
    const images = JSON.parse(result.stdout) as { id: string; minMemoryMiB: number; sizeBytes: number }[];
    expect(images.find((i) => i.id === "linux")).toMatchObject({ minMemoryMiB: expect.any(Number) });
  });

  it("lists the catalog as a table", async () => {
    const result = await hyperlab(["images"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ID\s+KIND\s+MEMORY/);
    expect(result.stdout).toMatch(/\nlinux\s+bzimage\s/);
  });

  it("prints usage for --help and help, and a usage error for no command", async () => {
    for (const args of [["--help"], ["help"], ["help", "run"]]) {
      const result = await hyperlab(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/hyperlab run <image>/);
    }
    const none = await hyperlab([]);
    expect(none.code).toBe(2);
    expectOneErrorLine(none.stderr, "usage");
  });
});
