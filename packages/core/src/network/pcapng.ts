/**
 * pcapng capture files (IETF draft-ietf-opsawg-pcapng), the format Wireshark writes today, used
 * here for what classic pcap cannot say: a comment on each packet. Hyperlab writes one section
 * (a Section Header Block), one Ethernet interface (an Interface Description Block, microsecond
 * timestamps) and an Enhanced Packet Block per frame, with the frame's note as its `opt_comment`
 * (Wireshark shows it as `frame.comment`). Little-endian; every block padded to 32 bits.
 */
import { LINKTYPE_ETHERNET, PCAP_SNAPLEN, damaged } from "./pcap.js";

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
/** Blocks this reader takes; anything larger is refused as damage (a frame is at most 64 KiB). */
const MAX_BLOCK = 1 << 20;

export interface NotedFrame {
  /** Wall-clock time, ms since the epoch. */
  at: number;
  bytes: Uint8Array;
  /** Shown by Wireshark as the packet's comment. */
  note?: string;
}

const pad4 = (n: number) => (n + 3) & ~3;

function commentOption(note: string | undefined): Uint8Array {
  if (!note) return new Uint8Array(4); // opt_endofopt only
  const text = new TextEncoder().encode(note).subarray(0, 0xffff);
  const out = new Uint8Array(4 + pad4(text.length) + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, OPT_COMMENT, true);
  view.setUint16(2, text.length, true);
  out.set(text, 4);
  // The rest is zero: the padding and opt_endofopt (code 0, length 0).
  return out;
}

export function encodePcapng(frames: readonly NotedFrame[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, type, true);
    view.setUint32(4, out.length, true);
    out.set(body, 8);
    view.setUint32(out.length - 4, out.length, true);
    blocks.push(out);
  };
  const shb = new DataView(new ArrayBuffer(20));
  shb.setUint32(0, BYTE_ORDER_MAGIC, true);
  shb.setUint16(4, 1, true); // major version
  shb.setUint16(6, 0, true); // minor version
  shb.setBigInt64(8, -1n, true); // section length: not given
  block(SHB, new Uint8Array(shb.buffer)); // the last 4 bytes: opt_endofopt
  const idb = new DataView(new ArrayBuffer(12));
  idb.setUint16(0, LINKTYPE_ETHERNET, true);
  idb.setUint32(4, PCAP_SNAPLEN, true);
  block(IDB, new Uint8Array(idb.buffer)); // the last 4 bytes: opt_endofopt (default resolution: µs)
  for (const frame of frames) {
    const options = commentOption(frame.note);
    const body = new Uint8Array(20 + pad4(frame.bytes.length) + options.length);
    const view = new DataView(body.buffer);
    const micros = BigInt(Math.round(Math.max(0, frame.at) * 1000));
    view.setUint32(0, 0, true); // interface 0
    view.setUint32(4, Number(micros >> 32n), true);
    view.setUint32(8, Number(micros & 0xffffffffn), true);
    view.setUint32(12, frame.bytes.length, true);
    view.setUint32(16, frame.bytes.length, true);
    body.set(frame.bytes, 20);
    body.set(options, 20 + pad4(frame.bytes.length));
    block(EPB, body);
  }
  const out = new Uint8Array(blocks.reduce((sum, b) => sum + b.length, 0));
  let offset = 0;
  for (const b of blocks) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

export interface PcapngFile {
  linkType: number;
  frames: NotedFrame[];
}

/**
 * Reads back the pcapng files Hyperlab writes (one section, Ethernet, microseconds, either byte
 * order); blocks of other types are skipped. Throws a HyperlabError (capture-corrupt) on anything malformed.
 */
export function parsePcapng(bytes: Uint8Array): PcapngFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 28 || view.getUint32(0, true) !== SHB) throw damaged("Not a pcapng file (no section header).");
  const magic = view.getUint32(8, true);
  const little = magic === BYTE_ORDER_MAGIC;
  if (!little && view.getUint32(8, false) !== BYTE_ORDER_MAGIC)
    throw damaged("Not a pcapng file (bad byte-order magic).");
  let linkType = -1;
  const frames: NotedFrame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw damaged(`Truncated block header at ${offset}.`);
    const type = view.getUint32(offset, little);
    const length = view.getUint32(offset + 4, little);
    if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK || offset + length > bytes.length)
      throw damaged(`Bad block length ${length} at ${offset}.`);
    if (view.getUint32(offset + length - 4, little) !== length)
      throw damaged(`Block at ${offset} does not end with its length.`);
    const body = offset + 8;
    const end = offset + length - 4;
    if (type === IDB && end - body >= 8 && linkType < 0) linkType = view.getUint16(body, little);
    if (type === EPB) {
      if (end - body < 20) throw damaged(`Truncated packet block at ${offset}.`);
      const micros = view.getUint32(body + 4, little) * 2 ** 32 + view.getUint32(body + 8, little);
      const captured = view.getUint32(body + 12, little);
      const data = body + 20;
      if (data + captured > end) throw damaged(`Packet block at ${offset} is shorter than its packet.`);
      const frame: NotedFrame = { at: micros / 1000, bytes: bytes.slice(data, data + captured) };
      for (let o = data + pad4(captured); o + 4 <= end;) {
        const code = view.getUint16(o, little);
        const size = view.getUint16(o + 2, little);
        if (code === OPT_END) break;
        if (o + 4 + size > end) throw damaged(`Option at ${o} runs past its block.`);
        if (code === OPT_COMMENT) frame.note = new TextDecoder().decode(bytes.subarray(o + 4, o + 4 + size));
        o += 4 + pad4(size);
      }
      frames.push(frame);
    }
    offset += length;
  }
  return { linkType, frames };
}
