/**
 * The extended-env palette commands in a real JupyterLab: create an env (the
 * real `mlc` runs in a real headless terminal), see its tile appear without
 * reloading, run its kernel, remove it and see the tile go; and, on a server
 * with terminals disabled, get the exact command to paste instead.
 */
import {
  expect,
  galata,
  test,
  type IJupyterLabPageFixture
} from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const SETTINGS_ID = 'jupyterlab-ml-containers:plugin';

/**
 * A custom `mlcCommand` setting, as a user sets it for an mlc outside the
 * image: this tree's mlc, layering envs over the demo image.
 */
const MLC_COMMAND = [
  'env',
  `MLC_INSTALL_PREFIX=${process.env.MLC_DEMO_IMAGE ?? path.join(REPO, 'build', 'demo-image')}`,
  path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc')
].join(' ');

/**
 * The mlc the extension runs by default, and so shows in the command to
 * paste: the image's own, at the prefix its kernel spec records.
 */
function imageMlc(): string {
  const demo =
    process.env.MLC_DEMO_IMAGE ?? path.join(REPO, 'build', 'demo-image');
  const spec = JSON.parse(
    fs.readFileSync(
      path.join(demo, 'share', 'jupyter', 'kernels', 'python3', 'kernel.json'),
      'utf-8'
    )
  );
  const prefix = String(spec.metadata.ml_containers.prefix);
  expect(prefix).toMatch(/^\//);
  return `${prefix}/bin/mlc`;
}

const NO_TERMINALS_URL = `http://127.0.0.1:${process.env.MLC_UI_PORT_NO_TERMINALS ?? Number(process.env.MLC_UI_PORT ?? 8899) + 1}`;

/**
 * A value of the page config this page was served with (galata's getOption
 * caches the first server's config for the whole worker, and two servers run here).
 */
async function pageConfig(
  page: IJupyterLabPageFixture,
  name: string
): Promise<string> {
  const text = await page.evaluate(
    () => document.getElementById('jupyter-config-data')?.textContent ?? '{}'
  );
  return String((JSON.parse(text) as Record<string, unknown>)[name]);
}

/** Run a palette entry the way a user does: Ctrl+Shift+C, type, Enter. */
async function runFromPalette(
  page: IJupyterLabPageFixture,
  label: string
): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  const search = page.locator('.jp-ModalCommandPalette input');
  await search.fill(label);
  const item = page
    .locator('.jp-ModalCommandPalette .lm-CommandPalette-item', {
      hasText: label
    })
    .first();
  await item.click();
}

/** The env's tile in the launcher on show: the image section lists extended envs by name. */
function envTile(page: IJupyterLabPageFixture, envName: string) {
  return page
    .getByRole('list', { name: 'Your extended envs' })
    .filter({ visible: true })
    .getByRole('listitem', { name: envName, exact: true });
}

async function openLauncher(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('launcher:create');
  });
  await expect(page.locator('.jp-Launcher:visible')).toHaveCount(1);
}

function toast(page: IJupyterLabPageFixture, text: string) {
  return page.locator('.Toastify__toast', { hasText: text });
}

test.describe('extended envs through the terminal', () => {
  // The default mlc command: the image's own <prefix>/bin/mlc (the demo image has
  // one, as an image with the package installed does), whatever the terminal's PATH.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      [SETTINGS_ID]: { mlcCommand: '' }
    }
  });

  test('create from the palette: tile without reload, kernel in the env; remove: tile gone', async ({
    page
  }) => {
    const root = await pageConfig(page, 'serverRoot');
    expect(root).toMatch(/^\//);
    const name = 'ui env é';
    const displayName = 'UI Env é (test)';
    const prefix = `${root}/ml-envs/${name}`;
    fs.rmSync(prefix, { recursive: true, force: true });
    await openLauncher(page);
    await expect(envTile(page, name)).toHaveCount(0);

    await runFromPalette(page, 'Create Extended Environment');
    const dialog = page.locator('.jp-Dialog');
    const accept = dialog.locator('.jp-Dialog-button.jp-mod-accept');
    // The name is checked as it is typed: a slash is refused, with one line.
    await dialog.locator('input[name="mlc-env-name"]').fill('a/b');
    await expect(dialog.locator('[role="alert"]')).toContainText(
      'contains "/"'
    );
    await expect(accept).toBeDisabled();
    await dialog.locator('input[name="mlc-env-name"]').fill(name);
    await expect(accept).toBeEnabled();
    await expect(dialog.locator('input[name="mlc-env-location"]')).toHaveValue(
      'ml-envs'
    );
    await expect(dialog.locator('input[name="mlc-env-kernel"]')).toBeChecked();
    await dialog
      .locator('input[name="mlc-env-display-name"]')
      .fill(displayName);
    await expect(dialog).toContainText(`Will be created at: ${prefix}`);
    const specRequests = { count: 0 };
    page.on('request', request => {
      if (new URL(request.url()).pathname.endsWith('/api/kernelspecs')) {
        specRequests.count += 1;
      }
    });
    await accept.click();

    const created = toast(page, 'Created');
    await expect(created).toBeVisible({ timeout: 120_000 });
    expect(fs.existsSync(path.join(prefix, 'pyvenv.cfg'))).toBe(true);
    // The specs are fetched again at once (the poll alone runs once a minute).
    expect(specRequests.count).toBeGreaterThan(0);
    // The kernel specs were refreshed: the tile is there, no reload.
    await expect(envTile(page, name)).toBeVisible();

    await created.getByRole('button', { name: 'Open a notebook' }).click();
    await expect(page.locator('.jp-NotebookPanel').first()).toBeVisible();
    await expect(
      page
        .locator('.jp-NotebookPanel .jp-KernelName', { hasText: displayName })
        .first()
    ).toBeVisible();
    await page.notebook.setCell(0, 'code', 'import sys; print(sys.prefix)');
    await page.notebook.run();
    expect((await page.notebook.getCellTextOutput(0))?.join('').trim()).toBe(
      prefix
    );
    await page.notebook.close(true);

    await runFromPalette(page, 'Remove Extended Environment');
    await dialog.locator('select').selectOption(prefix);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toContainText(prefix);
    await dialog.locator('.jp-Dialog-button.jp-mod-warn').click();
    await expect(toast(page, 'Removed')).toBeVisible({ timeout: 120_000 });
    expect(fs.existsSync(prefix)).toBe(false);
    await openLauncher(page);
    await expect(envTile(page, name)).toHaveCount(0);
  });
});

test.describe('checking envs through the terminal', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      [SETTINGS_ID]: { mlcCommand: MLC_COMMAND }
    }
  });

  // The env outlives the test otherwise, and the launcher tests expect none.
  let cleanup = (): void => undefined;
  test.afterEach(() => cleanup());

  test('check lists an env with its problem; Fix repairs it', async ({
    page
  }) => {
    const root = await pageConfig(page, 'serverRoot');
    const name = 'check env';
    const prefix = `${root}/ml-envs/${name}`;
    const kernels = path.join(
      process.env.MLC_UI_STATE ?? '',
      'data',
      'kernels'
    );
    fs.rmSync(prefix, { recursive: true, force: true });
    cleanup = () => {
      for (const entry of fs
        .readdirSync(kernels)
        .filter(e => e.startsWith('mlc-check-env-'))) {
        fs.rmSync(path.join(kernels, entry), { recursive: true, force: true });
      }
      fs.rmSync(prefix, { recursive: true, force: true });
    };

    await runFromPalette(page, 'Create Extended Environment');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[name="mlc-env-name"]').fill(name);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(toast(page, 'Created')).toBeVisible({ timeout: 120_000 });
    // The user deletes the env's kernel by hand.
    const kernelDirs = fs
      .readdirSync(kernels)
      .filter(entry => entry.startsWith('mlc-check-env-'));
    expect(kernelDirs).toHaveLength(1);
    fs.rmSync(path.join(kernels, kernelDirs[0]), { recursive: true });

    await runFromPalette(page, 'Check Extended Environments');
    const env = dialog.locator(`.jp-MLC-envCheck-env[data-prefix="${prefix}"]`);
    await expect(env.locator('li[data-code="kernel-missing"]')).toBeVisible({
      timeout: 120_000
    });
    await env.locator('.jp-MLC-envCheck-fix').click();
    await expect(env.locator('.jp-MLC-envCheck-ok')).toBeVisible({
      timeout: 120_000
    });
    expect(
      fs.existsSync(path.join(kernels, kernelDirs[0], 'kernel.json'))
    ).toBe(true);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  });
});

test.describe('with terminals disabled on the server', () => {
  test.use({ baseURL: NO_TERMINALS_URL });

  test('the create dialog ends in the exact command to paste', async ({
    page
  }) => {
    expect(await pageConfig(page, 'terminalsAvailable')).toBe('false');
    const root = await pageConfig(page, 'serverRoot');
    await runFromPalette(page, 'Create Extended Environment');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[name="mlc-env-name"]').fill("it's my env");
    await dialog
      .locator('input[name="mlc-env-display-name"]')
      .fill('Mine $(x)');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    const command = dialog.locator('textarea.jp-MLC-pasteCommand-text');
    await expect(command).toHaveValue(
      `${imageMlc()} env create '${root}/ml-envs/it'\\''s my env' --display-name 'Mine $(x)'`
    );
    await expect(command).toHaveAttribute('readonly', '');
    await dialog.locator('.jp-MLC-pasteCommand-copy').click();
    await expect(dialog.locator('.jp-MLC-pasteCommand-copy')).toHaveText(
      'Copied'
    );
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toHaveCount(0);
  });

  test('check and remove say what to run instead of failing silently', async ({
    page
  }) => {
    const root = await pageConfig(page, 'serverRoot');
    await runFromPalette(page, 'Check Extended Environments');
    const dialog = page.locator('.jp-Dialog');
    const list = `${imageMlc()} env list --dir ${root}/ml-envs`;
    await expect(
      dialog.locator('textarea.jp-MLC-pasteCommand-text')
    ).toHaveValue(list);
    await expect(dialog).toContainText('mlc env check PATH --fix');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    await runFromPalette(page, 'Remove Extended Environment');
    await expect(
      dialog.locator('textarea.jp-MLC-pasteCommand-text')
    ).toHaveValue(list);
    await expect(dialog).toContainText('mlc env remove PATH');
  });
});
