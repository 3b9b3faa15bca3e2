/**
 * What a user added to the image env after setup, from `conda-meta/history`
 * (conda, mamba and micromamba append to it): blocks that start with
 * `==> 2024-01-02 03:04:05 <==`, then `# cmd:` / `# update specs:` comments and
 * `+channel::name-version-build` / `-...` lines. Read robustly: unknown lines
 * are skipped, a package removed later does not count.
 */
export interface IAddedCondaPackage {
  name: string;
  version: string;
  /** `conda-forge`, or the channel URL's last part; empty when the line has none. */
  channel: string;
}

/**
 * Packages added by transactions at or after `since` (local time as the file
 * writes it, compared as text `YYYY-MM-DD HH:MM:SS`), minus those removed
 * afterwards. `specs` are the user's requested names (from `# update specs:`).
 */
export function addedCondaPackages(
  historyText: string,
  since: string
): { packages: IAddedCondaPackage[]; specs: string[] } {
  const added = new Map<string, IAddedCondaPackage>();
  const specs = new Set<string>();
  let counting = false;
  for (const raw of historyText.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^==>\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s*<==$/.exec(
      line
    );
    if (header) {
      counting = header[1] >= since;
      continue;
    }
    if (!counting) {
      continue;
    }
    const spec = /^#\s*update specs:\s*(.*)$/.exec(line);
    if (spec) {
      for (const name of Private.specNames(spec[1])) {
        specs.add(name);
      }
      continue;
    }
    const change = /^([+-])(?:(.+)::)?([^\s:]+)$/.exec(line);
    if (!change) {
      continue;
    }
    const parsed = Private.splitDist(change[3]);
    if (!parsed) {
      continue;
    }
    if (change[1] === '+') {
      added.set(parsed.name, {
        ...parsed,
        channel: Private.channelName(change[2] ?? '')
      });
    } else if (added.get(parsed.name)?.version === parsed.version) {
      // An upgrade lists the old build as removed next to the new one: only a removal of what was added counts.
      added.delete(parsed.name);
    }
  }
  return {
    packages: [...added.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    specs: [...specs].sort()
  };
}

/** The history file's time stamp format for a moment (UTC: containers run in UTC unless told). */
export function historyTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

namespace Private {
  /** `name-version-build`: name may hold dashes, version and build do not. */
  export function splitDist(
    dist: string
  ): { name: string; version: string } | null {
    const parts = dist.split('-');
    if (parts.length < 3) {
      return null;
    }
    const name = parts.slice(0, -2).join('-');
    const version = parts[parts.length - 2];
    if (
      !/^[A-Za-z0-9_.+-]+$/.test(name) ||
      !/^[A-Za-z0-9_.+!]+$/.test(version)
    ) {
      return null;
    }
    return { name, version };
  }

  export function channelName(channel: string): string {
    const trimmed = channel.replace(/\/+$/, '');
    const parts = trimmed.split('/');
    // `https://conda.anaconda.org/conda-forge/linux-64` → conda-forge
    if (
      parts.length > 1 &&
      /^(noarch|[a-z]+-[a-z0-9_]+)$/.test(parts[parts.length - 1])
    ) {
      parts.pop();
    }
    return parts[parts.length - 1] ?? '';
  }

  /** `["dask", "numpy>=1"]` or `['dask']`: the names only. */
  export function specNames(text: string): string[] {
    const names: string[] = [];
    for (const match of text.matchAll(/['"]([^'"]+)['"]/g)) {
      const name = /^([A-Za-z0-9_.-]+)/.exec(match[1].replace(/^.*::/, ''));
      if (name) {
        names.push(name[1]);
      }
    }
    return names;
  }
}
