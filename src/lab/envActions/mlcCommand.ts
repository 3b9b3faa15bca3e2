/**
 * The one answer to "which mlc does JupyterLab run": the runner types it and
 * the paste fallback (terminals disabled) shows it, so both always agree.
 */
import { parseMlcCommand } from '../../core/quote';

/**
 * The `mlcCommand` setting when set; otherwise the image's own
 * `<prefix>/bin/mlc`, where `mlc kernels install` recorded the prefix (a
 * login shell may reset PATH, as Debian's /etc/profile does; an absolute
 * path survives that); otherwise `mlc` on PATH, also when the prefix cannot
 * be typed as a plain word.
 */
export function mlcCommandFor(
  setting: string,
  imagePrefix: string | null | undefined
): string {
  if (setting.trim()) {
    return setting.trim();
  }
  if (imagePrefix) {
    const command = `${imagePrefix.replace(/\/+$/, '')}/bin/mlc`;
    const parsed = parseMlcCommand(command);
    if (parsed.ok && parsed.words.length === 1) {
      return command;
    }
  }
  return 'mlc';
}
