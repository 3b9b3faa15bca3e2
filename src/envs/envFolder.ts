/**
 * Make sure the folder a new env goes into exists, when it lies below the
 * Jupyter root folder: `mlc env create` makes the env, not its parents, and
 * the default location (`ml-envs`) does not exist before the first env.
 * Done through the server's Contents API, the file browser's own way.
 */
import type { Contents } from '@jupyterlab/services';
import { isWithin, normalizeAbsolute } from '../core/validate';

/** The part of `serviceManager.contents` used here. */
export type FolderContents = Pick<Contents.IManager, 'get' | 'save'>;

/**
 * Create `folder` (absolute) and its missing parents below `serverRoot`.
 * A folder outside the root is left to `mlc`, which says when it is missing.
 */
export async function ensureEnvFolder(
  contents: FolderContents,
  folder: string,
  serverRoot: string
): Promise<void> {
  if (!serverRoot.startsWith('/') || !folder.startsWith('/')) {
    return;
  }
  const root = normalizeAbsolute(serverRoot);
  const target = normalizeAbsolute(folder);
  if (!isWithin(target, root) || target === root) {
    return;
  }
  const parts = target.slice(root === '/' ? 1 : root.length + 1).split('/');
  // Usually the folder is there already (every env after the first): one request.
  if (await Private.exists(contents, parts.join('/'))) {
    return;
  }
  for (let i = 1; i <= parts.length; i++) {
    const local = parts.slice(0, i).join('/');
    if (!(await Private.exists(contents, local))) {
      await contents.save(local, { type: 'directory' });
    }
  }
}

namespace Private {
  export async function exists(
    contents: FolderContents,
    local: string
  ): Promise<boolean> {
    try {
      await contents.get(local, { content: false });
      return true;
    } catch {
      return false;
    }
  }
}
