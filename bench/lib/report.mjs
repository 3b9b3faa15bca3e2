/** The benchmark's tables: one per base, and the growth from the 1x base to the tenfold one. */

/** A table of the methods timed on one base, with the ratios and targets. */
export function formatBase({ label, base, results, runs, targetsDir, fileSystem }) {
  const byId = Object.fromEntries(results.map(result => [result.id, result]));
  const lines = [
    `== ${label}: ${base.files} files, ${base.links} links, ${base.dirs} dirs; ${base.records} conda-meta records (${(base.recordBytes / 1e6).toFixed(1)} MB)`,
    `   envs in ${targetsDir}; a symlink cost ${fileSystem.startUs} us at the start${fileSystem.waitedS ? `, ${fileSystem.endUs} us after waiting ${fileSystem.waitedS} s` : ''}${fileSystem.settled ? '' : ' (NOT settled)'}`,
    '',
    `| method | median of ${runs} | min | CPU median | CPU min | env check |`,
    '|---|---|---|---|---|---|'
  ];
  for (const result of results) {
    if (result.problem) {
      lines.push(`| ${result.label} | not timed: ${result.problem} | | | | |`);
    } else {
      lines.push(`| ${result.label} | ${Private.ms(result.medianMs)} | ${Private.ms(result.minMs)} | ${Private.ms(result.medianCpuMs)} | ${Private.ms(result.minCpuMs)} | ${result.check ?? '-'} |`);
    }
  }
  const mlc = byId.mlc;
  const ratio = (other, target) => Private.ratioLine(mlc, byId[other], target);
  lines.push(
    '',
    `mlc / seed:            ${ratio('seed', [1.0, 0.5])}`,
    `mlc (no plan) / seed:  ${Private.ratioLine(byId['mlc-walk'], byId.seed, [1.0, 0.5])}`,
    `mlc / seed every file: ${ratio('seed-every-file')}`,
    `mlc / venv:            ${ratio('venv')}`,
    `mlc / node -e 0:       ${ratio('node')}`
  );
  if (mlc && !mlc.problem) {
    const node = byId.node && !byId.node.problem ? byId.node : null;
    lines.push(
      `mlc's own work: elapsedMs ${Private.ms(mlc.medianElapsedMs)} (median); median(mlc) - median(node -e 0) ${node ? Private.ms(mlc.medianMs - node.medianMs) : '-'}, by CPU time ${node ? Private.ms(mlc.medianCpuMs - node.medianCpuMs) : '-'} (target: within 20 ms, ${node && mlc.medianMs - node.medianMs <= 20 ? 'met' : 'missed'} by wall time, ${node && mlc.medianCpuMs - node.medianCpuMs <= 20 ? 'met' : 'missed'} by CPU time)`
    );
  }
  return lines.join('\n') + '\n';
}

/** mlc on the tenfold base against mlc on the 1x one. */
export function formatGrowth({ small, large }) {
  const a = small.find(result => result.id === 'mlc');
  const b = large.find(result => result.id === 'mlc');
  if (!a?.medianMs || !b?.medianMs) {
    return 'growth mlc(10x)/mlc(1x): not measured\n';
  }
  return `growth mlc(10x)/mlc(1x): ${(b.medianMs / a.medianMs).toFixed(2)}x (minima ${(b.minMs / a.minMs).toFixed(2)}x; target <= 1.1x: ${b.medianMs / a.medianMs <= 1.1 ? 'met' : 'missed'})\n`;
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  ms(value) {
    return typeof value !== 'number' ? '-' : value >= 10000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(1)} ms`;
  },

  /** `0.73x (minima 0.70x)` and, with targets, whether each is met. */
  ratioLine(mlc, other, targets = []) {
    if (!mlc?.medianMs || !other?.medianMs) {
      return '-';
    }
    const value = mlc.medianMs / other.medianMs;
    const verdicts = targets.map(target => `<= ${target.toFixed(1)}x ${value <= target ? 'met' : 'missed'}`);
    const cpu = mlc.medianCpuMs && other.medianCpuMs ? `; by CPU time ${(mlc.medianCpuMs / other.medianCpuMs).toFixed(2)}x (minima ${(mlc.minCpuMs / other.minCpuMs).toFixed(2)}x)` : '';
    return `${value.toFixed(2)}x (minima ${(mlc.minMs / other.minMs).toFixed(2)}x)${cpu}${verdicts.length ? `; ${verdicts.join(', ')}` : ''}`;
  }
};
