/** The human form of `mlc kernels doctor`: a table, the findings, the search order. */
import type { Finding, IDoctorEntry, IDoctorReport } from './doctor';

const STATUS_WORDS: Record<Finding, string> = {
  shadowed: 'shadowed',
  'missing-interpreter': 'no interpreter',
  foreign: "not the image's",
  invalid: 'invalid kernel.json'
};

export function formatDoctorReport(report: IDoctorReport): string {
  const { context, entries } = report;
  const out: string[] = [];
  out.push("Kernel specs a Jupyter server started here would see, in Jupyter's search order:");
  out.push('');
  if (entries.length === 0) {
    out.push('  (none)');
  } else {
    out.push(
      ...Private.table(
        ['NAME', 'STATUS', 'FROM', 'DISPLAY NAME', 'RESOURCE DIR'],
        entries.map(entry => [
          entry.name,
          Private.status(entry),
          entry.source,
          entry.displayName ?? '',
          entry.resourceDir
        ])
      )
    );
  }
  const withNotes = entries.filter(entry => entry.notes.length > 0);
  if (withNotes.length > 0) {
    out.push('', 'Findings:');
    for (const entry of withNotes) {
      for (const note of entry.notes) {
        out.push(`  ${entry.name} (${entry.resourceDir}): ${note}`);
      }
    }
  }
  out.push('', 'Searched, in order:');
  out.push(
    ...Private.table(
      ['FROM', 'DIRECTORY'],
      context.searchDirs.map(({ dir, source, exists }) => [source, exists ? dir : `${dir} (missing)`])
    )
  );
  out.push('');
  const jupyter = context.jupyter;
  out.push(
    jupyter
      ? `Jupyter: ${jupyter.origin} (sys.prefix ${jupyter.facts.prefix}${jupyter.facts.probed ? '' : ', guessed: its Python did not run'})`
      : 'Jupyter: none on PATH, so no env directory was searched (pass --jupyter-prefix to name one)'
  );
  out.push(
    context.imagePrefix
      ? `Image prefix: ${context.imagePrefix} (from ${context.imagePrefixFrom})`
      : "Image prefix: unknown (no --prefix, no JUPYTER_PATH entry ending in /share/jupyter), so no spec was checked for being the image's"
  );
  out.push(Private.summary(entries));
  return Private.printable(out.join('\n')) + '\n';
}

namespace Private {
  export function status(entry: IDoctorEntry): string {
    if (entry.findings.length === 0) {
      return entry.mlContainers ? 'ok (image)' : 'ok';
    }
    return entry.findings.map(finding => STATUS_WORDS[finding]).join(', ');
  }

  export function table(header: string[], rows: string[][]): string[] {
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map(row => row[column].length))
    );
    const line = (cells: string[]) =>
      '  ' +
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  ');
    return [line(header), ...rows.map(line)];
  }

  export function summary(entries: IDoctorEntry[]): string {
    const count = (finding: Finding) => entries.filter(entry => entry.findings.includes(finding)).length;
    const parts = [`${entries.filter(entry => entry.visible).length} visible`];
    const shadowed = count('shadowed');
    const missing = count('missing-interpreter');
    const foreign = count('foreign');
    const invalid = count('invalid');
    if (shadowed) {
      parts.push(`${shadowed} shadowed`);
    }
    if (missing) {
      parts.push(`${missing} with a missing interpreter`);
    }
    if (foreign) {
      parts.push(`${foreign} not the image's`);
    }
    if (invalid) {
      parts.push(`${invalid} with an invalid kernel.json`);
    }
    return `Summary: ${parts.join(', ')}.`;
  }

  /** Names and paths come from other people's files: no control characters reach the terminal. */
  export function printable(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '?');
  }
}
