/**
 * The launcher section and the package browser in a real JupyterLab on the
 * demo image env (see ../start-jupyter.sh): what the user sees and what the
 * kernels really run.
 */
import {
  expect,
  galata,
  test,
  type IJupyterLabPageFixture
} from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  imageReference,
  parseImageMetadata,
  type ImageMetadata
} from '../../src/core/imageMetadata';
import {
  envKernelSpec,
  pythonMinor,
  type PythonMinor
} from '../../src/core/kernelspec';
import {
  filterPackages,
  sortPackages
} from '../../src/lab/packageBrowser/packageModel';

const DEMO = process.env.MLC_DEMO_IMAGE as string;
const STATE = process.env.MLC_UI_STATE as string;
const REPO = path.resolve(__dirname, '..', '..');

/** The demo image's image.json, read as the card and the browser should show it. */
function demoImage(): ImageMetadata {
  const parsed = parseImageMetadata(
    fs.readFileSync(
      path.join(DEMO, 'share/jupyter/kernels/python3/image.json'),
      'utf-8'
    )
  );
  if (!parsed.ok) {
    throw new Error(`the demo image.json is invalid: ${parsed.error}`);
  }
  return parsed.value;
}

/** Ask the page's JupyterLab for the kernel specs now (no minute-long poll). */
async function refreshSpecs(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    // `expose_app_in_browser` puts the app on window (jupyter_server_test_config.py).
    const app = (
      window as unknown as {
        jupyterapp: {
          serviceManager: { kernelspecs: { refreshSpecs(): Promise<void> } };
        };
      }
    ).jupyterapp;
    await app.serviceManager.kernelspecs.refreshSpecs();
  });
}

const section = (page: IJupyterLabPageFixture) =>
  page.locator('.jp-MLC-launcherHost .jp-MLC-section');
const tile = (page: IJupyterLabPageFixture, kernelName: string) =>
  section(page).locator(`.jp-MLC-tile[data-kernel-name="${kernelName}"]`);

test.describe('launcher section', () => {
  test('shows the image card, both image kernels and the foreign-kernel note', async ({
    page
  }) => {
    const image = demoImage();
    await expect(section(page)).toBeVisible();

    const card = section(page).locator('.jp-MLC-card');
    await expect(card.locator('.jp-MLC-card-reference')).toHaveText(
      imageReference(image)
    );
    await expect(card.locator('.jp-MLC-badge')).toHaveText('CPU');
    await expect(card.locator('.jp-MLC-card-facts')).toContainText(image.os);
    await expect(card.locator('.jp-MLC-card-facts')).toContainText(
      image.python
    );
    await expect(card.locator('.jp-MLC-card-facts')).toContainText(
      image.buildDate.slice(0, 10)
    );
    await expect(card.locator('.jp-MLC-card-packages')).toHaveText(
      `${image.packages.length} packages`
    );
    await expect(card.locator('.jp-MLC-card-warning')).toHaveCount(0);

    await expect(tile(page, 'python3').locator('.jp-MLC-tile-name')).toHaveText(
      'ML-Python3'
    );
    await expect(
      tile(page, 'python3').locator('.jp-MLC-tile-description')
    ).toHaveText('Isolated from ~/.local packages');
    await expect(
      tile(page, 'python3-usersite').locator('.jp-MLC-tile-name')
    ).toHaveText('ML-Python3-usersite');
    await expect(
      tile(page, 'python3-usersite').locator('.jp-MLC-tile-description')
    ).toHaveText('Includes ~/.local packages');
    for (const name of ['python3', 'python3-usersite']) {
      await expect(tile(page, name).locator('button')).toHaveText([
        'Notebook',
        'Console'
      ]);
      // The logo the image's kernel spec ships, as the stock launcher shows it.
      await expect(
        tile(page, name).locator('img.jp-MLC-tile-logo')
      ).toHaveAttribute(
        'src',
        new RegExp(`/kernelspecs/${name}/logo-svg\\.svg`)
      );
    }

    // start-jupyter.sh registers a user kernel on /usr/bin/python3.
    const note = section(page).locator('.jp-MLC-others');
    await expect(note).toContainText(
      '1 other kernel runs an interpreter this image does not have'
    );
    await expect(note.locator('[data-kernel-name="host-python"]')).toHaveText(
      'Host Python 3 /usr/bin/python3'
    );
    // The stock sections keep the other kernels and leave ours to the section.
    const stock = page.locator('.jp-MLC-launcherHost .jp-Launcher');
    await expect(
      stock.locator('.jp-LauncherCard[title="Host Python 3"]')
    ).toHaveCount(2);
    await expect(
      stock.locator('.jp-LauncherCard[title="ML-Python3"]')
    ).toHaveCount(0);
    await expect(
      stock.locator('.jp-LauncherCard[title="ML-Python3-usersite"]')
    ).toHaveCount(0);
  });

  test('ML-Python3 opens a notebook whose kernel runs the image interpreter', async ({
    page
  }) => {
    const button = tile(page, 'python3').locator(
      'button[data-kind="notebook"]'
    );
    await button.focus();
    await page.keyboard.press('Enter'); // keyboard-accessible, like a click

    const panel = page.locator('.jp-NotebookPanel');
    await expect(panel).toBeVisible();
    await expect(panel.locator('.jp-KernelName')).toHaveText('ML-Python3');
    // As with the stock cards, the notebook takes the launcher's place.
    await expect(page.locator('.jp-MLC-launcherHost')).toHaveCount(0);

    await page.notebook.setCell(0, 'code', 'import sys; print(sys.executable)');
    await page.notebook.runCell(0);
    const output = await page.notebook.getCellTextOutput(0);
    const minor = pythonMinor(demoImage().python) as PythonMinor;
    expect(output?.[0]?.trim()).toBe(path.join(DEMO, 'bin', `python${minor}`));
    await page.notebook.close(true);
  });

  test('an extended env appears on refreshSpecs, its text never rendered as HTML', async ({
    page
  }) => {
    const image = demoImage();
    const minor = pythonMinor(image.python) as PythonMinor;
    const hostile = '<img src=x onerror="window.__mlcInjected=1">';
    const envPrefix = '/home/u/envs/<script>window.__mlcInjected=2</script>';
    const kernelDir = path.join(STATE, 'data', 'kernels', 'mlc-hostile-env');
    const spec = envKernelSpec({
      prefix: DEMO,
      python: minor,
      image,
      envPrefix,
      displayName: `${hostile} (ML env)`,
      envName: hostile
    });

    await expect(section(page)).toBeVisible();
    await expect(section(page).locator('.jp-MLC-envTile')).toHaveCount(0);
    await expect(section(page).locator('.jp-MLC-hint button')).toHaveText(
      'Create Extended Environment…'
    );
    fs.mkdirSync(kernelDir, { recursive: true });
    try {
      fs.writeFileSync(
        path.join(kernelDir, 'kernel.json'),
        JSON.stringify(spec)
      );
      await refreshSpecs(page);

      const envTile = tile(page, 'mlc-hostile-env');
      await expect(envTile.locator('.jp-MLC-tile-name')).toHaveText(hostile);
      await expect(envTile.locator('.jp-MLC-tile-description')).toHaveText(
        envPrefix
      );
      await expect(section(page).locator('.jp-MLC-hint')).toHaveCount(0);
      expect(
        await page.locator('img[src="x"], .jp-MLC-section script').count()
      ).toBe(0);
      expect(
        await page.evaluate(
          () => (window as unknown as { __mlcInjected?: number }).__mlcInjected
        )
      ).toBeUndefined();
    } finally {
      fs.rmSync(kernelDir, { recursive: true, force: true });
    }
    await refreshSpecs(page);
    await expect(tile(page, 'mlc-hostile-env')).toHaveCount(0);
  });

  test('saves a screenshot of the launcher for the README', async ({
    page
  }) => {
    // A realistic picture: one extended env, a project folder as the launcher's cwd.
    const image = demoImage();
    const kernelDir = path.join(
      STATE,
      'data',
      'kernels',
      'mlc-myenv-screenshot'
    );
    const spec = envKernelSpec({
      prefix: DEMO,
      python: pythonMinor(image.python) as PythonMinor,
      image,
      envPrefix: '/home/physicist/ml-envs/myEnv',
      displayName: 'myEnv (ML env)',
      envName: 'myEnv'
    });
    fs.mkdirSync(kernelDir, { recursive: true });
    try {
      fs.writeFileSync(
        path.join(kernelDir, 'kernel.json'),
        JSON.stringify(spec)
      );
      await page.contents.createDirectory('analysis');
      await page.filebrowser.openDirectory('analysis');
      await refreshSpecs(page);
      await expect(tile(page, 'mlc-myenv-screenshot')).toBeVisible();
      await expect(page.locator('.jp-Launcher-cwd')).toHaveText('analysis');
      await page.sidebar.close('left');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(REPO, 'docs', 'launcher.png') });
    } finally {
      fs.rmSync(kernelDir, { recursive: true, force: true });
      await page.contents.deleteDirectory('analysis');
    }
  });
});

test.describe('settings', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-ml-containers:plugin': {
        sectionTitle: 'Image of this hub',
        showPackagesButton: false,
        showStockCards: true
      }
    }
  });

  test('title, package button and stock cards follow the settings', async ({
    page
  }) => {
    await expect(section(page).locator('.jp-MLC-sectionTitle')).toHaveText(
      'Image of this hub'
    );
    await expect(section(page).locator('.jp-MLC-card-packages')).toHaveCount(0);
    await expect(section(page).locator('.jp-MLC-card-count')).toHaveText(
      `${demoImage().packages.length} packages`
    );
    const stock = page.locator('.jp-MLC-launcherHost .jp-Launcher');
    await expect(
      stock.locator('.jp-LauncherCard[title="ML-Python3"]')
    ).toHaveCount(2);
  });
});

test.describe('package browser', () => {
  test('opens from the card, filters as you type and sorts by column', async ({
    page
  }) => {
    const image = demoImage();
    await section(page).locator('.jp-MLC-card-packages').click();
    const browser = page.locator('#jp-MLC-packages');
    await expect(browser).toBeVisible();
    await expect(browser.locator('.jp-MLC-packages-count')).toHaveText(
      `${image.packages.length} packages`
    );

    const rows = browser.locator('.jp-MLC-packages-body [role="row"]');
    const names = browser.locator(
      '.jp-MLC-packages-body .jp-MLC-packages-name'
    );
    // Windowed: the DOM holds the rows in view, not the whole list.
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeLessThan(
      Math.min(image.packages.length, 80)
    );
    const byName = sortPackages(image.packages, {
      column: 'name',
      direction: 'ascending'
    });
    expect(await names.first().textContent()).toBe(byName[0].name);

    // Filter: every term must be found in name, version or source.
    const search = browser.locator('input.jp-MLC-packages-search');
    await search.pressSequentially('py');
    const matches = filterPackages(byName, 'py');
    await expect(browser.locator('.jp-MLC-packages-count')).toHaveText(
      `${matches.length} of ${image.packages.length} packages`
    );
    await expect(names.first()).toHaveText(matches[0].name);
    await search.fill('numpy pip');
    await expect(names).toHaveText(
      filterPackages(byName, 'numpy pip').map(pkg => pkg.name)
    );

    // Sort: a header click sorts ascending, a second click descending.
    await search.fill('');
    const nameHeader = browser.locator('button[data-column="name"]');
    await nameHeader.click();
    await expect(
      browser.locator('[role="columnheader"][aria-sort="descending"]')
    ).toHaveText(/Name/);
    await expect(names.first()).toHaveText(byName[byName.length - 1].name);
    await browser.locator('button[data-column="source"]').click();
    const bySource = sortPackages(image.packages, {
      column: 'source',
      direction: 'ascending'
    });
    await expect(names.first()).toHaveText(bySource[0].name);
    await expect(
      browser.locator('.jp-MLC-packages-body .jp-MLC-packages-source').first()
    ).toHaveText(bySource[0].source);

    // Scrolling to the end brings the last rows into the DOM.
    await browser
      .locator('.jp-MLC-packages-body')
      .evaluate(node => (node.scrollTop = node.scrollHeight));
    await expect(names.last()).toHaveText(bySource[bySource.length - 1].name);
  });

  test('opens from the command palette', async ({ page }) => {
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#modal-command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('input').fill('Show Image Packages');
    await palette
      .locator('.lm-CommandPalette-item', { hasText: 'Show Image Packages' })
      .first()
      .click();
    await expect(
      page.locator('#jp-MLC-packages .jp-MLC-packages-count')
    ).toHaveText(`${demoImage().packages.length} packages`);
  });
});
