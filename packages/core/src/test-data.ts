/**
 * The test data the host gives a guest for the storage pair: the contents of the IDE disk and
 * of the file in the 9p share (machine/storage.ts puts them there), read back by the storage
 * workload (workloads/paths.ts). Its own module so that the machine, which makes the bytes,
 * does not depend on the workloads, which only name the file and its size.
 */

/** The test file in the 9p share (also the contents of the IDE disk). */
export const TEST_DATA_FILE = "hyperlab-data.bin";
export const TEST_DATA_KIB = 4096;

/** Deterministic, incompressible-looking bytes (xorshift32), the same in every guest. */
export function testData(bytes = TEST_DATA_KIB * 1024): Uint8Array {
  const out = new Uint8Array(bytes);
  const words = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return out;
}
