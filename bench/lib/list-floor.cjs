/**
 * The floor of `mlc env list` on Node: the reads the listing needs and
 * nothing else (no validation beyond JSON.parse, no problems worded): the
 * kernels folder, each kernel.json, each env's record, the two existence
 * checks of a summary, the envs' folder once, and the three folders of
 * each env where an interrupted write would leave a staged file. Prints
 * the summaries as JSON, one write.
 *
 *   node list-floor.cjs     (JUPYTER_DATA_DIR as mlc reads it)
 */
'use strict';
const fs = require('node:fs');

const kernels = `${process.env.JUPYTER_DATA_DIR}/kernels`;
const envs = [];
const parents = new Set();
for (const name of fs.readdirSync(kernels)) {
  const kernel = JSON.parse(
    fs.readFileSync(`${kernels}/${name}/kernel.json`, 'utf8')
  );
  const prefix = kernel.metadata?.ml_containers?.envPrefix;
  if (typeof prefix !== 'string') {
    continue;
  }
  const record = JSON.parse(fs.readFileSync(`${prefix}/.mlc-env.json`, 'utf8'));
  parents.add(prefix.slice(0, prefix.lastIndexOf('/')));
  for (const dir of [prefix, `${prefix}/conda-meta`, `${prefix}/bin`]) {
    fs.readdirSync(dir);
  }
  envs.push({
    ...record,
    ok:
      fs.existsSync(`${prefix}/baseEnv_dir/bin`) &&
      fs.existsSync(`${prefix}/bin/python${record.python}`)
  });
}
for (const parent of parents) {
  fs.readdirSync(parent);
}
fs.writeSync(1, `${JSON.stringify({ envs })}\n`);
