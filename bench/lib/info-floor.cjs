'use strict';
/**
 * The floor of `mlc info` on Node: the least a Node program does to answer
 * the same question of a registry, and nothing else (no catalogue, no
 * checks, no digest): the manifest and the config blob by two GETs on one
 * kept connection, both parsed, one line printed. Timed beside mlc by
 * bench/verbs.mjs; what mlc spends above it is its own.
 *
 *   node bench/lib/info-floor.cjs HOST:PORT REPOSITORY TAG
 */
const http = require('node:http');

const [host, repository, tag] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ');

function getJson(path, accept) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `http://${host}${path}`,
      { agent, headers: { accept }, timeout: 10000 },
      response => {
        const chunks = [];
        response.on('data', chunk => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(new Error(`${path}: HTTP ${response.statusCode}`));
            return;
          }
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf-8')));
        });
      }
    );
    request.on('timeout', () => request.destroy(new Error(`${path}: timeout`)));
    request.on('error', reject);
  });
}

(async () => {
  const manifest = await getJson(
    `/v2/${repository}/manifests/${tag}`,
    MANIFEST_TYPES
  );
  const config = await getJson(
    `/v2/${repository}/blobs/${manifest.config.digest}`,
    '*/*'
  );
  const size = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  process.stdout.write(`${repository}:${tag} ${size} ${config.created}\n`);
})().catch(error => {
  process.stderr.write(`info-floor: ${error.message}\n`);
  process.exitCode = 1;
});
