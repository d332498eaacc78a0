/** Durations in config and on the command line: `90` (seconds), `90s`, `90m`, `24h`, `7d`. */
export const DURATION = /^(\d{1,9})(s|m|h|d)?$/;

const UNIT_SEC = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a duration; NaN when the text is not one. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * UNIT_SEC[(m[2] ?? 's') as keyof typeof UNIT_SEC];
}

/** Seconds as an operator writes them: 86400 -> `24h`, 5400 -> `1h30m`, 315360000 -> `87600h`, 0 -> `0s`. */
export function formatDuration(totalSec: number): string {
  const sec = Math.max(0, Math.round(totalSec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out || '0s';
}
