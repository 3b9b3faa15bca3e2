/**
 * Work that must not delay the launcher's first paint: run it when the
 * browser has painted (two animation frames after the render was asked
 * for) and is idle, or after a timeout where requestIdleCallback is missing.
 */
export function afterFirstPaint(work: () => void): void {
  const idle = (): void => {
    if (typeof requestIdleCallback === 'function') {
      requestIdleCallback(() => work(), { timeout: 2000 });
    } else {
      setTimeout(work, 0);
    }
  };
  if (typeof requestAnimationFrame !== 'function') {
    setTimeout(idle, 0);
    return;
  }
  requestAnimationFrame(() => requestAnimationFrame(idle));
}
