/**
 * Named moments of an env command in the browser's performance timeline
 * (`mlc:<name>`), read by bench/click-to-tile.mjs to say where the time
 * between the Create click and the env's tile goes, and by
 * bench/launcher-paint.mjs for when the session's env check ran. Costs a few
 * microseconds; nothing reads them unless a benchmark asks.
 */
export function markTime(name: string): void {
  if (
    typeof performance !== 'undefined' &&
    typeof performance.mark === 'function'
  ) {
    performance.mark(`mlc:${name}`);
  }
}
