/** Writes to stdout/stderr; the promise settles once the bytes are handed to the OS. */
function write(stream: NodeJS.WriteStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => stream.write(data, () => resolve()));
}

export const out = (data: string | Uint8Array): Promise<void> => write(process.stdout, data);
export const err = (data: string | Uint8Array): Promise<void> => write(process.stderr, data);
export const outLine = (line: string): Promise<void> => out(`${line}\n`);
