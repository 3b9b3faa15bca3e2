/**
 * The packages an image change upgraded, added and removed, in words: the
 * update badge's title and the Rebase… dialog list them, each list bounded
 * ("…, and 12 more") so that a rebuilt image with hundreds of changes stays
 * readable. Plain strings, rendered as text (never as HTML).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IImageChange } from '../core/envLife';

/** How many packages each list names before "and N more". */
export const MAX_CHANGES_NAMED = 10;

/** Each changed package as one short string, by kind. */
export function imageChangeItems(change: IImageChange): {
  upgraded: string[];
  added: string[];
  removed: string[];
} {
  return {
    upgraded: change.upgraded.map(
      item => `${item.name} ${item.from} → ${item.to}`
    ),
    added: change.added.map(item => `${item.name} ${item.version}`),
    removed: change.removed.map(item => `${item.name} ${item.version}`)
  };
}

/** The first `max` items joined, then "and N more" when there are more. */
export function boundedList(
  items: readonly string[],
  trans: TranslationBundle,
  max = MAX_CHANGES_NAMED
): string {
  const named = items.slice(0, max).join(', ');
  const more = items.length - max;
  return more > 0 ? trans.__('%1, and %2 more', named, more) : named;
}

/** One line per non-empty kind: "Upgraded: numpy 1.26.4 → 2.0.0, …". */
export function imageChangeLines(
  change: IImageChange,
  trans: TranslationBundle,
  max = MAX_CHANGES_NAMED
): string[] {
  const items = imageChangeItems(change);
  const lines: string[] = [];
  if (items.upgraded.length) {
    lines.push(
      trans.__('Upgraded: %1', boundedList(items.upgraded, trans, max))
    );
  }
  if (items.added.length) {
    lines.push(trans.__('Added: %1', boundedList(items.added, trans, max)));
  }
  if (items.removed.length) {
    lines.push(trans.__('Removed: %1', boundedList(items.removed, trans, max)));
  }
  return lines;
}
