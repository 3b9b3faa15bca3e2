/**
 * The menu of an env tile: a Lumino menu of the env commands that exist
 * (and are visible for this env), opened below the tile's menu button. The
 * menu takes the keyboard at once (arrows, Enter, Escape), and the focus
 * returns to the button when it closes.
 */
import type { CommandRegistry } from '@lumino/commands';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import { Menu } from '@lumino/widgets';

export function openEnvMenu(
  commands: CommandRegistry,
  ids: readonly string[],
  args: ReadonlyJSONObject,
  anchor: HTMLElement
): Menu | null {
  const menu = new Menu({ commands });
  menu.addClass('jp-MLC-envMenu');
  for (const command of ids) {
    if (commands.hasCommand(command)) {
      menu.addItem({ command, args });
    }
  }
  if (menu.items.length === 0) {
    menu.dispose();
    return null;
  }
  const rect = anchor.getBoundingClientRect();
  anchor.setAttribute('aria-expanded', 'true');
  menu.aboutToClose.connect(() => {
    anchor.setAttribute('aria-expanded', 'false');
    // After the menu's own handling (a command it runs may open a dialog that takes focus).
    requestAnimationFrame(() => {
      if (!anchor.ownerDocument.activeElement?.closest('.jp-Dialog')) {
        anchor.focus();
      }
      menu.dispose();
    });
  });
  menu.open(rect.left, rect.bottom);
  // A keyboard user lands on the first entry; a pointer user sees it marked.
  menu.activeIndex = 0;
  return menu;
}
