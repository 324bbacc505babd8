import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUT_S, parseCommand, parseLabExec } from "./args.js";
import { CliError } from "./errors.js";

function usageOf(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: "usage", exitCode: 2 });
    return (error as CliError).message;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("parseCommand", () => {
  it("reads run with every flag", () => {
    const command = parseCommand([
      "run",
      "linux",
      "--memory",
      "64",
      "--console",
      "virtio",
      "--net",
      "ne2k",
      "--weight",
      "512",
      "--cap",
      "12.5",
      "--exec",
      "uname -a",
      "--timeout",
      "30",
      "--cmdline",
      "quiet",
      "--instant",
      "--save",
      "after.hlsnap",
    ]);
    expect(command).toEqual({
      name: "run",
      image: "linux",
      memoryMiB: 64,
      console: "virtio",
      net: "ne2k",
      weight: 512,
      cap: 12.5,
      exec: "uname -a",
      expect: undefined,
      timeoutS: 30,
      initrd: undefined,
      cmdline: "quiet",
      instant: true,
      from: undefined,
      save: "after.hlsnap",
    });
  });

  it("reads --from instead of an image, and refuses the mixes that make no sense", () => {
    expect(parseCommand(["run", "--from", "s.hlsnap", "--exec", "ls"])).toMatchObject({
      image: undefined,
      from: "s.hlsnap",
      exec: "ls",
    });
    expect(usageOf(["run", "linux", "--from", "s.hlsnap"])).toMatch(/not both/);
    expect(usageOf(["run", "--from", "s.hlsnap", "--instant"])).toMatch(/Give one/);
    expect(usageOf(["run", "linux", "--save", "s.hlsnap"])).toMatch(/--save goes with --exec/);
    expect(usageOf(["run"])).toMatch(/needs an image/);
  });

  it("fills in defaults: serial console, 60 s", () => {
    expect(parseCommand(["run", "linux"])).toMatchObject({ console: "serial", timeoutS: DEFAULT_TIMEOUT_S });
    expect(DEFAULT_TIMEOUT_S).toBe(60);
  });

  it("takes a command starting with a dash as --exec=VALUE", () => {
    expect(parseCommand(["run", "linux", "--exec=-x"])).toMatchObject({ exec: "-x" });
  });

  it("compiles --expect", () => {
    const command = parseCommand(["run", "x.iso", "--expect", "login: ?$"]);
    expect(command).toMatchObject({ image: "x.iso" });
    expect((command as { expect: RegExp }).expect.source).toBe("login: ?$");
  });

  it("leaves memory ranges to the core (its codes are more precise)", () => {
    expect(parseCommand(["run", "linux", "--memory", "48"])).toMatchObject({ memoryMiB: 48 });
  });

  it("reads images and up", () => {
    expect(parseCommand(["images", "--json"])).toEqual({ name: "images", json: true });
    expect(parseCommand(["images"])).toEqual({ name: "images", json: false });
    expect(parseCommand(["up", "l.json", "--exec", "a:echo A", "--exec", "b:x:y", "--timeout", "5"])).toEqual({
      name: "up",
      lab: "l.json",
      execs: [
        { guest: "a", command: "echo A" },
        { guest: "b", command: "x:y" },
      ],
      timeoutS: 5,
    });
    expect(parseCommand(["up", "l.json", "--capture", "lab.pcap", "--capture-segment", "lan"])).toMatchObject({
      capture: "lab.pcap",
      captureSegment: "lan",
    });
    expect(parseCommand(["up", "l.json", "--capture=lab.pcap"])).not.toHaveProperty("captureSegment");
  });

  it("knows help in its spellings", () => {
    expect(parseCommand(["--help"])).toEqual({ name: "help" });
    expect(parseCommand(["-h"])).toEqual({ name: "help" });
    expect(parseCommand(["help", "up"])).toEqual({ name: "help", topic: "up" });
    expect(parseCommand(["run", "--help"])).toEqual({ name: "help", topic: "run" });
    expect(parseCommand(["--version"])).toEqual({ name: "version" });
  });

  it.each([
    [[], /Give a command/],
    [["frob"], /no command "frob"/],
    [["help", "frob"], /no command "frob"/],
    [["run"], /needs an image/],
    [["run", "a", "b"], /takes one image/],
    [["run", "linux", "--bogus"], /Unknown option '--bogus'/],
    [["run", "linux", "--memory"], /--memory/],
    [["run", "linux", "--memory", "lots"], /--memory takes a whole number of MiB, not "lots"/],
    [["run", "linux", "--memory", "-4"], /--memory/],
    [["run", "linux", "--console", "vga"], /--console is one of serial, virtio, not "vga"/],
    [["run", "linux", "--net", "e1000"], /--net is one of none, ne2k, virtio/],
    [["run", "linux", "--timeout", "0"], /more than 0 seconds/],
    [["run", "linux", "--exec", "ls", "--expect", "x"], /not both/],
    [["run", "linux", "--expect", "("], /regular expression/],
    [["images", "extra"], /takes no arguments/],
    [["up"], /needs a lab file/],
    [["up", "l.json", "--exec", "nocolon"], /NAME:CMD/],
    [["up", "l.json", "--exec", ":ls"], /NAME:CMD/],
    [["up", "l.json", "--capture-segment", "lan"], /--capture-segment goes with --capture FILE/],
    [["up", "l.json", "--capture", ""], /--capture needs a file/],
    [["up", "l.json", "--capture"], /--capture/],
  ])("refuses %j as a usage error", (argv, message) => {
    expect(usageOf(argv)).toMatch(message);
  });
});

describe("parseLabExec", () => {
  it("splits at the first colon", () => {
    expect(parseLabExec("a:echo a:b")).toEqual({ guest: "a", command: "echo a:b" });
  });
});
