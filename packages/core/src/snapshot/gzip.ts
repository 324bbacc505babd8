/**
 * gzip both ways with the platform's own streams (CompressionStream in browsers and Node 20),
 * bounded: inflating stops as soon as the output passes what the caller expects.
 */

/**
 * How much of a gzip stream is fed to the decompressor at a time (see gunzip): smaller pieces
 * stop a bomb sooner but cost more (4 KiB made a 3 MiB snapshot unpack 2–3× slower, 16 KiB ~1.2×).
 */
const INFLATE_PIECE = 16 * 1024;

/**
 * Runs bytes through a (de)compression stream. Input goes in pieces of `piece` bytes, each only
 * once the previous one is taken, and output is counted as it comes: past `maxBytes` the streams
 * are cancelled and "too-big" is thrown, so no more than one piece's output is made beyond the
 * limit (deflate inflates at most ~1032:1: ~16 MiB for a 16 KiB piece), and none of it is kept.
 */
async function pipe(
  bytes: Uint8Array,
  stream: TransformStream<Uint8Array, Uint8Array>,
  maxBytes = Infinity,
  piece = bytes.length,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const feeding = (async () => {
    for (let at = 0; at < bytes.length; at += piece) await writer.write(bytes.subarray(at, at + piece));
    await writer.close();
  })();
  feeding.catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      void reader.cancel().catch(() => undefined);
      void writer.abort().catch(() => undefined);
      throw new RangeError("too-big");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
}

/**
 * Unpacks gzip bytes; with `maxBytes`, stops inflating as soon as the output would be longer and
 * rejects with a RangeError "too-big" (a small body may inflate to gigabytes).
 */
export function gunzip(bytes: Uint8Array, maxBytes = Infinity): Promise<Uint8Array> {
  const stream = new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  return pipe(bytes, stream, maxBytes, INFLATE_PIECE);
}
