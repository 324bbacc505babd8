/**
 * libpcap capture files (the classic format Wireshark and tcpdump read): a 24-byte global
 * header, then per packet a 16-byte record header and the bytes. Little-endian, microsecond
 * timestamps, link type 1 (LINKTYPE_ETHERNET). See https://wiki.wireshark.org/Development/LibpcapFileFormat
 */
import { HyperlabError } from "../errors.js";

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;

export interface CapturedFrame {
  /** Wall-clock time, ms since the epoch. */
  at: number;
  bytes: Uint8Array;
}

export function encodePcap(frames: readonly CapturedFrame[]): Uint8Array {
  const total = 24 + frames.reduce((sum, f) => sum + 16 + f.bytes.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true); // thiszone: UTC
  view.setUint32(12, 0, true); // sigfigs
  view.setUint32(16, PCAP_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  let offset = 24;
  for (const frame of frames) {
    const ms = Math.max(0, frame.at);
    const seconds = Math.floor(ms / 1000);
    view.setUint32(offset, seconds, true);
    view.setUint32(offset + 4, Math.min(999_999, Math.round((ms - seconds * 1000) * 1000)), true);
    view.setUint32(offset + 8, frame.bytes.length, true);
    view.setUint32(offset + 12, frame.bytes.length, true);
    out.set(frame.bytes, offset + 16);
    offset += 16 + frame.bytes.length;
  }
  return out;
}

export interface PcapFile {
  linkType: number;
  snaplen: number;
  frames: CapturedFrame[];
}

/** The refusal of a capture file (pcap or pcapng) that is not one or is damaged. */
export function damaged(sentence: string): HyperlabError {
  return new HyperlabError("capture-corrupt", sentence);
}

/** Reads a pcap file back (either byte order); throws a HyperlabError (capture-corrupt) on anything malformed. */
export function parsePcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < 24) throw damaged("A pcap file has a 24-byte header.");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === PCAP_MAGIC;
  if (!little && view.getUint32(0, false) !== PCAP_MAGIC) throw damaged("Not a pcap file (bad magic).");
  if (view.getUint16(4, little) !== 2) throw damaged("Not a version 2 pcap file.");
  const snaplen = view.getUint32(16, little);
  const linkType = view.getUint32(20, little);
  const frames: CapturedFrame[] = [];
  let offset = 24;
  while (offset < bytes.length) {
    if (offset + 16 > bytes.length) throw damaged(`Truncated record header at ${offset}.`);
    const seconds = view.getUint32(offset, little);
    const micros = view.getUint32(offset + 4, little);
    const included = view.getUint32(offset + 8, little);
    if (offset + 16 + included > bytes.length) throw damaged(`Truncated record at ${offset}.`);
    frames.push({ at: seconds * 1000 + micros / 1000, bytes: bytes.slice(offset + 16, offset + 16 + included) });
    offset += 16 + included;
  }
  return { linkType, snaplen, frames };
}
