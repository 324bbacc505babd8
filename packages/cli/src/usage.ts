/** The help texts; flag names follow the CLI contract in the design conventions. */
const IMAGES = `hyperlab images [--json]
  The image catalog: id, kind, memory (minimum / default), size, drivers and title.
  --json            print the catalog as JSON`;

const RUN = `hyperlab run <image> [options]
hyperlab run --from <snapshot file> [options]
  Boots one guest. <image> is a catalog id (see hyperlab images) or a file you bring:
  a Linux bzImage, an ISO (CD-ROM) or a raw disk image.

  Without --exec or --expect the guest's console is attached to this terminal:
  Ctrl-A x quits (and terminates the guest), Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h helps.
  When stdin is not a terminal it is passed to the guest line by line once its shell is
  ready; after stdin ends, hyperlab quits when the guest has been quiet for 2 s.

  --memory MiB      guest memory, a power of two (default: the image's)
  --console KIND    serial (ttyS0, default) or virtio (hvc0): the console to use
  --net MODEL       none (default), ne2k or virtio
  --weight N        CPU weight, 1-65535 (default 256; 512 gets twice the share)
  --cap PCT         at most PCT % of one host core (default 0: no cap)
  --exec CMD        boot, run CMD in the guest shell, print its output and exit with
                    its status (a failure also prints one line on stderr)
  --expect REGEX    boot and wait until REGEX appears on a console, then exit 0
  --timeout S       seconds for boot plus command (default 60)
  --initrd PATH     an initrd for a bzImage file you bring (needs > 64 MiB of memory)
  --cmdline STR     the kernel command line for a bzImage you bring (appended for a
                    catalog image)
  --instant         start a catalog image from its ready snapshot (a shell in a fraction
                    of a second); a cold boot when no ready snapshot fits the options
  --from FILE       start from a snapshot file (made with --save, or downloaded from the
                    app) instead of booting: the guest is as it was, files and all
  --save FILE       with --exec: once the command has succeeded, save the guest's
                    snapshot to FILE`;

const UP = `hyperlab up <lab file> [--exec NAME:CMD]... [--timeout S] [--capture FILE [--capture-segment NAME]]
  Starts the guests of a lab file and waits until each has its shell. The lab's
  security groups (securityGroups, and each guest's groups) are in force from the start.
  --exec NAME:CMD   run CMD in guest NAME once all are ready (in the order given);
                    output lines are prefixed "NAME: "; then everything is terminated
                    and the exit status is non-zero if a command failed
  --timeout S       seconds for all guests to boot, and for each command (default 60)
  --capture FILE    write a pcap of what crossed the switch while the lab ran, when it
                    ends (Wireshark, tshark -r FILE); frames the switch dropped go to
                    FILE.dropped.pcapng (FILE without .pcap), each with a comment saying
                    where and why
  --capture-segment NAME
                    capture one segment of the lab instead of the whole switch
  Without --exec, hyperlab prints each guest's state changes until Ctrl-C.`;

export const TOPICS = { images: IMAGES, run: RUN, up: UP } as const;
export type Topic = keyof typeof TOPICS;

export function usage(topic?: Topic): string {
  if (topic) return `${TOPICS[topic]}\n`;
  return `hyperlab — real x86 guests on the v86 emulator, in a terminal.

${IMAGES}

${RUN}

${UP}

hyperlab help [COMMAND]   this text, or one command's
hyperlab --version        the CLI's version

Errors are one line on stderr, "error <code>: <sentence>"; the exit status is 2 for
usage errors and 1 otherwise. HYPERLAB_IMAGES names another images folder;
HYPERLAB_DEBUG=1 adds stack traces to internal errors.
`;
}
