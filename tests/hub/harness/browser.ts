/**
 * Debian's Chromium driven by playwright-core (no downloads), and what a
 * user does on a hub: log in, start the server, use the launcher section,
 * run a cell, create an env from the palette.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

/** Flags that work on these machines (shared/MACHINE-NOTES.md). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    timeout: 60000
  });
}

/** The dummy authenticator's login form. */
export async function logIn(
  page: Page,
  hubUrl: string,
  user: string
): Promise<void> {
  await page.goto(new URL('hub/login', hubUrl).href);
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill('any');
  await page.locator('#login_submit').click();
}

/** The image's launcher section, drawn (the server may still be starting). */
export function launcherSection(page: Page) {
  return page.locator('.jp-MLC-section').filter({ visible: true });
}

/** A kernel tile of the section. */
export function tile(page: Page, kernelName: string) {
  return launcherSection(page).locator(
    `.jp-MLC-tile[data-kernel-name="${kernelName}"]`
  );
}

/** The launcher's list of extended envs, one item per env, by name. */
export function envTile(page: Page, envName: string) {
  return page
    .getByRole('list', { name: 'Your extended envs' })
    .filter({ visible: true })
    .getByRole('listitem', { name: envName, exact: true });
}

/** Open a launcher (a server started again may restore a notebook instead). */
export async function openLauncher(page: Page): Promise<void> {
  await runFromPalette(page, 'New Launcher');
  await launcherSection(page).first().waitFor({ timeout: 60000 });
}

/** Run a palette entry the way a user does: Ctrl+Shift+C, type, click. */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  await page
    .locator('.jp-LabShell')
    .click({ position: { x: 5, y: 5 } })
    .catch(() => undefined);
  await page.keyboard.press('Control+Shift+C');
  const search = page.locator('.jp-ModalCommandPalette input');
  await search.fill(label);
  await page
    .locator('.jp-ModalCommandPalette .lm-CommandPalette-item', {
      hasText: label
    })
    .first()
    .click();
}

/**
 * Type one line of code into the last cell of the notebook on show whose
 * kernel's name matches `kernel`, run it, and
 * return that cell's output text. The code is typed as a user types it
 * (the editor closes brackets; typing the closing one steps over it).
 */
export async function runCell(
  page: Page,
  code: string,
  kernel: string | RegExp
): Promise<string> {
  // Several notebooks may be on show (a toast's "Open a notebook" splits the area): take the one on `kernel`.
  const notebook = page
    .locator('.jp-NotebookPanel:visible')
    .filter({ has: page.locator('.jp-KernelName', { hasText: kernel }) })
    .last();
  await notebook
    .locator('.jp-Notebook-cell')
    .first()
    .waitFor({ timeout: 60000 });
  // The kernel must be idle before the cell runs, or the output waits on a kernel still starting.
  await notebook
    .locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
    .waitFor({ timeout: 180000 })
    .catch(() => undefined);
  const cell = notebook.locator('.jp-CodeCell').last();
  await cell.locator('.cm-content').click();
  await page.keyboard.type(code);
  await page.keyboard.press('Control+Enter');
  const output = cell.locator('.jp-OutputArea-output');
  await output.first().waitFor({ timeout: 180000 });
  // Let every line arrive: the prompt shows a number once the execution finished.
  await cell
    .locator('.jp-InputPrompt', { hasText: /\[\d+\]/ })
    .waitFor({ timeout: 180000 });
  return (await output.allInnerTexts()).join('\n');
}

/** `KEY=value` lines of a cell's output. */
export function outputValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) {
      values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return values;
}
