/**
 * An env tile's menu in a real JupyterLab on the demo image, with the real
 * mlc in real headless terminals: the menu opens and runs with the keyboard
 * alone, Remove… removes the env from its tile, Add Packages… previews and
 * installs a wheel whose module a notebook on the env then imports, Remove
 * Packages… uninstalls it again, and an
 * env deleted by hand loses its tile after the session's one `mlc env list`.
 */
import {
  expect,
  galata,
  test,
  type IJupyterLabPageFixture
} from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const DEMO =
  process.env.MLC_DEMO_IMAGE ?? path.join(REPO, 'build', 'demo-image');
const DEMO_V2 = process.env.MLC_DEMO_IMAGE_V2 ?? `${DEMO}-v2`;
const STATE = process.env.MLC_UI_STATE as string;
const SETTINGS_ID = 'jupyterlab-ml-containers:plugin';

interface ICreated {
  prefix: string;
  kernelName: string;
}

/**
 * Create an env as the server's user would in a terminal: the demo image's
 * own mlc, the server's HOME and Jupyter data dir.
 */
function createEnv(prefix: string, base?: string): ICreated {
  fs.rmSync(prefix, { recursive: true, force: true });
  const out = execFileSync(
    path.join(DEMO, 'bin', 'mlc'),
    ['env', 'create', prefix, '--json', ...(base ? ['--base', base] : [])],
    { env: serverEnv(), encoding: 'utf-8' }
  );
  const result = out
    .split('\n')
    .filter(line => line.includes('"type":"result"'))
    .map(line => JSON.parse(line) as { data: ICreated })[0];
  return result.data;
}

function serverEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: path.join(STATE, 'home'),
    JUPYTER_DATA_DIR: path.join(STATE, 'data'),
    LANG: 'C.UTF-8'
  };
}

/** A wheel of one module, `name` at `version`, built with the project venv's pip. */
function buildWheel(dir: string, name: string, version: string): string {
  const module = name.replace(/-/g, '_');
  const src = path.join(dir, `${module}-src`);
  fs.mkdirSync(path.join(src, module), { recursive: true });
  fs.writeFileSync(
    path.join(src, module, '__init__.py'),
    `__version__ = "${version}"\n`
  );
  fs.writeFileSync(
    path.join(src, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = ["setuptools"]',
      'build-backend = "setuptools.build_meta"',
      '[project]',
      `name = "${name}"`,
      `version = "${version}"`,
      ''
    ].join('\n')
  );
  execFileSync(
    path.join(REPO, '.venv', 'bin', 'pip'),
    [
      'wheel',
      '--quiet',
      '--no-build-isolation',
      '--no-deps',
      '--disable-pip-version-check',
      '-w',
      dir,
      src
    ],
    { stdio: 'pipe' }
  );
  const wheel = fs
    .readdirSync(dir)
    .find(file => file.startsWith(`${module}-${version}-`));
  if (!wheel) {
    throw new Error(`no wheel of ${name} in ${dir}`);
  }
  return path.join(dir, wheel);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function refreshSpecs(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    await window.jupyterapp.serviceManager.kernelspecs.refreshSpecs();
  });
}

async function openLauncher(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('launcher:create');
  });
  await expect(page.locator('.jp-Launcher:visible')).toHaveCount(1);
}

function envTile(page: IJupyterLabPageFixture, kernelName: string) {
  return page.locator(
    `.jp-MLC-launcherHost:visible .jp-MLC-envTile[data-kernel-name="${kernelName}"]`
  );
}

function toast(page: IJupyterLabPageFixture, text: string) {
  return page.locator('.Toastify__toast', { hasText: text });
}

test.describe('the env tile menu', () => {
  // The image's own <prefix>/bin/mlc, as on a hub.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      [SETTINGS_ID]: { mlcCommand: '' }
    }
  });

  let cleanup: string[] = [];
  let scratch: string[] = [];
  test.afterEach(() => {
    for (const prefix of cleanup) {
      if (fs.existsSync(path.join(prefix, '.mlc-env.json'))) {
        execFileSync(path.join(DEMO, 'bin', 'mlc'), ['env', 'remove', prefix], {
          env: serverEnv()
        });
      }
    }
    cleanup = [];
    // After the envs: an env is removed while its base is still there.
    for (const dir of scratch) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    scratch = [];
  });

  test('opens and runs with the keyboard alone: Remove… removes the env and its tile', async ({
    page
  }) => {
    const prefix = path.join(STATE, 'root', 'ml-envs', 'menu-env');
    const created = createEnv(prefix);
    cleanup.push(prefix);
    await refreshSpecs(page);
    await openLauncher(page);
    const tile = envTile(page, created.kernelName);
    await expect(tile).toBeVisible();

    const button = tile.getByRole('button', {
      name: 'More actions for menu-env'
    });
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.locator('.jp-MLC-envMenu');
    await expect(menu).toBeVisible();
    await expect(
      menu.locator('.lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel')
    ).toHaveText([
      'Add Packages…',
      'Remove Packages…',
      'History…',
      'Export…',
      'Scale Out with Dask…',
      'Remove…'
    ]);
    // The first entry is active; up from it wraps to the last, Remove….
    await page.keyboard.press('ArrowUp');
    await expect(menu.locator('.lm-Menu-item.lm-mod-active')).toHaveText(
      /Remove…/
    );
    await page.keyboard.press('Enter');

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Remove menu-env?');
    await expect(dialog).toContainText(prefix);
    await dialog.locator('.jp-Dialog-button.jp-mod-warn').focus();
    await page.keyboard.press('Enter');
    await expect(toast(page, 'Removed')).toBeVisible({ timeout: 120_000 });
    expect(fs.existsSync(prefix)).toBe(false);
    await expect(tile).toHaveCount(0);
  });

  test('Add Packages… previews and installs a wheel that a notebook on the env imports', async ({
    page
  }) => {
    const prefix = path.join(STATE, 'root', 'ml-envs', 'packages-env');
    const created = createEnv(prefix);
    cleanup.push(prefix);
    const wheels = path.join(STATE, 'wheels');
    fs.mkdirSync(wheels, { recursive: true });
    const wheel = buildWheel(wheels, 'mlc-ui-demo', '0.3');
    await refreshSpecs(page);
    await openLauncher(page);
    const tile = envTile(page, created.kernelName);
    await tile
      .getByRole('button', { name: 'More actions for packages-env' })
      .click();
    await page
      .locator('.jp-MLC-envMenu .lm-Menu-item', { hasText: 'Add Packages…' })
      .click();

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Add Packages to packages-env');
    await dialog.locator('textarea[name="mlc-install-specs"]').fill(wheel);
    await dialog.locator('.jp-MLC-addPackages-preview').click();
    await expect(dialog.locator('.jp-MLC-addPackages-changes')).toHaveText(
      'install mlc-ui-demo 0.3',
      { timeout: 120_000 }
    );
    await dialog.locator('.jp-MLC-addPackages-install').click();
    await expect(dialog.locator('.jp-MLC-addPackages-done')).toContainText(
      'Installed; the env is now at revision',
      { timeout: 120_000 }
    );
    await expect(
      dialog.locator('.jp-MLC-phases li[data-state="done"]')
    ).toHaveCount(4);
    await dialog.locator('.jp-MLC-changeLog summary').click();
    await expect(dialog.locator('.jp-MLC-changeLog pre')).toContainText(
      'mlc-ui-demo'
    );
    await dialog.locator('.jp-Dialog-button').click();

    // Export… writes the lock file into the file browser's folder (this test's).
    await tile
      .getByRole('button', { name: 'More actions for packages-env' })
      .click();
    await page
      .locator('.jp-MLC-envMenu .lm-Menu-item', { hasText: 'Export…' })
      .click();
    const lockFile = path.join(
      STATE,
      'root',
      await page.filebrowser.getCurrentDirectory(),
      'packages-env.mlc-lock.json'
    );
    // The file, not its toast: the 8 s "Wrote ..." toast was once missed
    // under load although the file was written (the lock is written staged,
    // so once it exists it is whole).
    await expect
      .poll(() => fs.existsSync(lockFile), { timeout: 120_000 })
      .toBe(true);
    const lock = JSON.parse(fs.readFileSync(lockFile, 'utf-8')) as {
      kind: string;
      pip: { name: string; version: string }[];
    };
    expect(lock.kind).toBe('mlc-env-lock');
    expect(lock.pip.map(pin => `${pin.name}==${pin.version}`)).toEqual([
      'mlc-ui-demo==0.3'
    ]);

    await tile.locator('[data-kind="notebook"]').click();
    await expect(page.locator('.jp-NotebookPanel').first()).toBeVisible();
    await page.notebook.setCell(
      0,
      'code',
      'import mlc_ui_demo, sys; print(mlc_ui_demo.__version__, sys.prefix)'
    );
    await page.notebook.run();
    expect((await page.notebook.getCellTextOutput(0))?.join('').trim()).toBe(
      `0.3 ${prefix}`
    );
    await page.notebook.close(true);

    // Remove Packages… lists the env's own packages (not the image's),
    // previews the pick, and uninstalls it.
    await openLauncher(page);
    await tile
      .getByRole('button', { name: 'More actions for packages-env' })
      .click();
    await page
      .locator('.jp-MLC-envMenu .lm-Menu-item', { hasText: 'Remove Packages…' })
      .click();
    await expect(dialog).toContainText('Remove Packages from packages-env');
    const own = dialog.locator('.jp-MLC-removePackages-list label');
    await expect(own).toHaveText(['mlc-ui-demo 0.3'], { timeout: 120_000 });
    await own.locator('input').check();
    await dialog.locator('.jp-MLC-removePackages-preview').click();
    await expect(dialog.locator('.jp-MLC-addPackages-changes')).toHaveText(
      'remove mlc-ui-demo 0.3',
      { timeout: 120_000 }
    );
    await dialog.locator('.jp-MLC-removePackages-remove').click();
    await expect(dialog.locator('.jp-MLC-addPackages-done')).toContainText(
      'Removed; the env is now at revision',
      { timeout: 120_000 }
    );
    await dialog.locator('.jp-Dialog-button').click();
    const sitePackages = fs
      .readdirSync(path.join(prefix, 'lib'))
      .filter(name => name.startsWith('python3'))
      .map(name => path.join(prefix, 'lib', name, 'site-packages'));
    expect(sitePackages).toHaveLength(1);
    expect(fs.existsSync(path.join(sitePackages[0], 'mlc_ui_demo'))).toBe(
      false
    );
  });

  test('Scale Out with Dask… checks its values as typed and writes <env>/etc/dask/mlc-scale-out.yaml', async ({
    page
  }) => {
    const prefix = path.join(STATE, 'root', 'ml-envs', 'dask-env');
    const created = createEnv(prefix);
    cleanup.push(prefix);
    await refreshSpecs(page);
    await openLauncher(page);
    const tile = envTile(page, created.kernelName);
    await tile
      .getByRole('button', { name: 'More actions for dask-env' })
      .click();
    await page
      .locator('.jp-MLC-envMenu .lm-Menu-item', {
        hasText: 'Scale Out with Dask…'
      })
      .click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Scale Out dask-env with Dask');
    const cores = dialog.getByRole('textbox', { name: 'Cores per worker' });
    await expect(cores).toBeFocused();
    await page.keyboard.type('two');
    await expect(dialog.getByRole('alert')).toHaveText(
      'Cores must be a positive whole number, e.g. 4.'
    );
    await expect(dialog.locator('.jp-MLC-daskConfig-write')).toBeDisabled();
    await cores.fill('2');
    await dialog
      .getByRole('textbox', { name: 'Partition (queue)' })
      .fill('debug');
    await expect(dialog.getByRole('alert')).toHaveCount(0);
    // Enter in a field writes, as the Write button does.
    await page.keyboard.press('Enter');
    const file = path.join(prefix, 'etc', 'dask', 'mlc-scale-out.yaml');
    await expect(dialog.locator('.jp-MLC-daskConfig-done')).toContainText(
      `Wrote ${file}`,
      { timeout: 120_000 }
    );
    await expect(dialog.locator('.jp-MLC-daskConfig-usage')).toContainText(
      'cluster = SLURMCluster()'
    );
    const config = JSON.parse(
      fs.readFileSync(file, 'utf-8').replace(/^#.*\n/gm, '')
    ) as { jobqueue: { slurm: Record<string, unknown> } };
    expect(config.jobqueue.slurm).toMatchObject({ cores: 2, queue: 'debug' });
    await dialog.locator('.jp-Dialog-button').click();
    await expect(dialog).toHaveCount(0);
  });

  test('an env deleted by hand loses its tile after the session check', async ({
    page
  }) => {
    const prefix = path.join(STATE, 'root', 'ml-envs', 'deleted-env');
    const created = createEnv(prefix);
    fs.rmSync(prefix, { recursive: true });
    // A new session: the check runs once, after the launcher's first paint.
    await page.reload();
    await openLauncher(page);
    await expect(
      page.locator('.jp-MLC-launcherHost:visible .jp-MLC-dangling')
    ).toContainText('The kernel of 1 env that was deleted is hidden.', {
      timeout: 60_000
    });
    await expect(envTile(page, created.kernelName)).toHaveCount(0);
    // The stock Notebook section does not offer it either.
    await expect(
      page.locator('.jp-MLC-launcherHost:visible .jp-LauncherCard', {
        hasText: 'deleted-env'
      })
    ).toHaveCount(0);

    // Unregister it from the check dialog; the kernel goes for good.
    await page
      .locator('.jp-MLC-launcherHost:visible .jp-MLC-dangling-check')
      .click();
    const dialog = page.locator('.jp-Dialog');
    const env = dialog.locator(`.jp-MLC-envCheck-env[data-prefix="${prefix}"]`);
    await expect(env.locator('li[data-code="env-missing"]')).toBeVisible({
      timeout: 120_000
    });
    await env.locator('.jp-MLC-envCheck-fix').click();
    await expect(env.locator('.jp-MLC-envCheck-ok')).toBeVisible({
      timeout: 120_000
    });
    expect(
      fs.existsSync(path.join(STATE, 'data', 'kernels', created.kernelName))
    ).toBe(false);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(
      page.locator('.jp-MLC-launcherHost:visible .jp-MLC-dangling')
    ).toHaveCount(0);
  });

  test('the update badge after the image was rebuilt in place; Rebase… clears it, History… rolls back', async ({
    page
  }) => {
    // A copy of the demo image, replaced later by its second version (built
    // by the harness: another tqdm, a new build date, the same tag) in
    // place, as a CVMFS image is.
    const image = path.join(STATE, 'image-copy');
    fs.rmSync(image, { recursive: true, force: true });
    execFileSync('cp', ['-a', DEMO, image]);
    scratch.push(image);
    const prefix = path.join(STATE, 'root', 'ml-envs', 'rebase-env');
    const created = createEnv(prefix, image);
    cleanup.push(prefix);
    const tqdm = (root: string): string => {
      const imageJson = path.join(
        root,
        'share',
        'jupyter',
        'kernels',
        'python3',
        'image.json'
      );
      const metadata = JSON.parse(fs.readFileSync(imageJson, 'utf-8')) as {
        packages: { name: string; version: string }[];
      };
      const found = metadata.packages.find(pkg => pkg.name === 'tqdm');
      if (!found) {
        throw new Error(`no tqdm in ${imageJson}`);
      }
      return found.version;
    };
    const before = tqdm(image);
    const after = tqdm(DEMO_V2);
    expect(after).not.toBe(before);
    fs.rmSync(image, { recursive: true });
    execFileSync('cp', ['-a', DEMO_V2, image]);

    // A new session: its one mlc env list notices the change.
    await page.reload();
    await openLauncher(page);
    const tile = envTile(page, created.kernelName);
    const badge = tile.locator('.jp-MLC-tile-badge');
    await expect(badge).toHaveText('Image updated', { timeout: 60_000 });
    await expect(badge).toHaveAttribute(
      'title',
      /packages upgraded: 1, added: 0, removed: 0/
    );
    // The upgraded package listed with its versions, not only counted.
    await expect(badge).toHaveAttribute(
      'title',
      new RegExp(
        `\\nUpgraded: tqdm ${escapeRegExp(before)} → ${escapeRegExp(after)}$`
      )
    );
    await badge.click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(
      'Rebase rebase-env on the updated image?'
    );
    await expect(dialog.locator('.jp-MLC-rebase-upgraded li')).toHaveText([
      `tqdm ${before} → ${after}`
    ]);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(toast(page, 'Rebased')).toBeVisible({ timeout: 120_000 });
    await expect(badge).toHaveCount(0);

    await tile
      .getByRole('button', { name: 'More actions for rebase-env' })
      .click();
    await page
      .locator('.jp-MLC-envMenu .lm-Menu-item', { hasText: 'History…' })
      .click();
    const revisions = dialog.locator('.jp-MLC-history-revision');
    await expect(revisions.first().locator('strong')).toHaveText(
      '2. rebased on the updated image',
      { timeout: 60_000 }
    );
    const first = dialog.locator('.jp-MLC-history-revision[data-revision="1"]');
    await first.locator('.jp-MLC-history-rollback').click();
    await first.locator('.jp-MLC-history-rollback').click();
    await expect(dialog.locator('[role="status"]')).toContainText(
      'revision 1',
      { timeout: 120_000 }
    );
    await dialog.locator('.jp-Dialog-button').click();
  });
});
