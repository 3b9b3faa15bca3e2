/** The human form of `mlc kernels doctor`: a table, the findings, the search order. */
import { elideText } from '../output';
import type { Finding, IDoctorEntry, IDoctorReport } from './doctor';

/**
 * Widest a cell is shown (the JSON has the whole value): one long display
 * name padded into every row once made the table too long to build.
 */
const MAX_CELL = { name: 40, displayName: 60, path: 200, note: 300 };

const STATUS_WORDS: Record<Finding, string> = {
  shadowed: 'shadowed',
  'missing-interpreter': 'no interpreter',
  foreign: "not the image's",
  invalid: 'invalid kernel.json'
};

export function formatDoctorReport(report: IDoctorReport): string {
  const { context, entries } = report;
  const out: string[] = [];
  out.push(
    "Kernel specs a Jupyter server started here would see, in Jupyter's search order:"
  );
  out.push('');
  if (entries.length === 0) {
    out.push('  (none)');
  } else {
    out.push(
      ...Private.table(
        ['NAME', 'STATUS', 'FROM', 'DISPLAY NAME', 'RESOURCE DIR'],
        entries.map(entry => [
          elideText(entry.name, MAX_CELL.name),
          Private.status(entry),
          entry.source,
          elideText(entry.displayName ?? '', MAX_CELL.displayName),
          elideText(entry.resourceDir, MAX_CELL.path)
        ])
      )
    );
  }
  const withNotes = entries.filter(entry => entry.notes.length > 0);
  if (withNotes.length > 0) {
    out.push('', 'Findings:');
    for (const entry of withNotes) {
      for (const note of entry.notes) {
        const where = `${elideText(entry.name, MAX_CELL.name)} (${elideText(entry.resourceDir, MAX_CELL.path)})`;
        out.push(`  ${where}: ${elideText(note, MAX_CELL.note)}`);
      }
    }
  }
  out.push('', 'Searched, in order:');
  out.push(
    ...Private.table(
      ['FROM', 'DIRECTORY'],
      context.searchDirs.map(({ dir, source, exists }) => {
        const shown = elideText(dir, MAX_CELL.path);
        return [source, exists ? shown : `${shown} (missing)`];
      })
    )
  );
  out.push('');
  const jupyter = context.jupyter;
  out.push(
    jupyter
      ? `Jupyter: ${elideText(jupyter.origin, MAX_CELL.note)} (sys.prefix ${elideText(jupyter.facts.prefix, MAX_CELL.path)}${jupyter.facts.probed ? '' : ', guessed: its Python did not run'})`
      : 'Jupyter: none on PATH, so no env directory was searched (pass --jupyter-prefix to name one)'
  );
  out.push(
    context.imagePrefix
      ? `Image prefix: ${elideText(context.imagePrefix, MAX_CELL.path)} (from ${context.imagePrefixFrom})`
      : "Image prefix: unknown (no --prefix, no JUPYTER_PATH entry ending in /share/jupyter), so no spec was checked for being the image's"
  );
  out.push(Private.summary(entries));
  return out.join('\n') + '\n';
}

namespace Private {
  export function status(entry: IDoctorEntry): string {
    if (entry.findings.length === 0) {
      return entry.mlContainers ? 'ok (image)' : 'ok';
    }
    return entry.findings.map(finding => STATUS_WORDS[finding]).join(', ');
  }

  export function table(header: string[], rows: string[][]): string[] {
    // A loop, not Math.max(...rows): a spread of many rows overflows the stack.
    const widths = header.map((title, column) =>
      rows.reduce(
        (widest, row) => Math.max(widest, row[column].length),
        title.length
      )
    );
    const line = (cells: string[]) =>
      '  ' +
      cells
        .map((cell, column) =>
          column === cells.length - 1 ? cell : cell.padEnd(widths[column])
        )
        .join('  ');
    return [line(header), ...rows.map(line)];
  }

  export function summary(entries: IDoctorEntry[]): string {
    const count = (finding: Finding) =>
      entries.filter(entry => entry.findings.includes(finding)).length;
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
}
