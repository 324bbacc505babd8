/** Uptime as h:mm:ss (or m:ss under an hour). */
export function formatUptime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A figure or a dash when it is not known (yet). */
export function figure(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
}

/** MIPS with a decimal while small (an idle guest runs well under 1 MIPS). */
export function formatMips(mips: number | undefined): string {
  return figure(mips, mips !== undefined && mips < 10 ? 1 : 0);
}
