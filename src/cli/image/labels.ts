/**
 * `mlc image labels`: the image.json facts as OCI image labels, so that a
 * registry client (`skopeo inspect`, `mlc info`) reads them without pulling
 * the image. One label per flat fact under the `io.github.ml-containers.`
 * namespace, plus the `org.opencontainers.image.*` labels they answer
 * (created, version, title). The package list stays in the image
 * (/list-of-pkgs-inside.txt, image.json): labels are for the facts.
 */
import { labelProblem } from '../../core/problemText';
import { UserError } from '../errors';
import { readRegularFile } from '../fs/regularFile';
import { imageJsonIn } from './imageJsonFile';
import { MAX_IMAGE_JSON_BYTES } from './writeManifest';

/** The namespace of our labels (documented in images/README.md). */
export const LABEL_NAMESPACE = 'io.github.ml-containers';

export function imageLabels(imageJson: string): Record<string, string> {
  const read = readRegularFile(imageJson, { maxBytes: MAX_IMAGE_JSON_BYTES });
  if (!read.ok) {
    throw new UserError(
      `cannot read ${imageJson} (${read.reason})`,
      "pass the image.json written by 'mlc image manifest'"
    );
  }
  const image = imageJsonIn(imageJson, read.text);
  const labels: Record<string, string> = {
    [`${LABEL_NAMESPACE}.schema-version`]: String(image.schemaVersion),
    [`${LABEL_NAMESPACE}.name`]: image.name,
    [`${LABEL_NAMESPACE}.tag`]: image.tag,
    [`${LABEL_NAMESPACE}.os`]: image.os,
    [`${LABEL_NAMESPACE}.python`]: image.python,
    [`${LABEL_NAMESPACE}.flavour`]: image.flavour,
    [`${LABEL_NAMESPACE}.build-date`]: image.buildDate,
    [`${LABEL_NAMESPACE}.prefix`]: image.prefix,
    [`${LABEL_NAMESPACE}.package-count`]: String(image.packages.length),
    [`${LABEL_NAMESPACE}.package-list`]: '/list-of-pkgs-inside.txt',
    'org.opencontainers.image.title': image.name,
    'org.opencontainers.image.version': image.tag,
    'org.opencontainers.image.created': image.buildDate
  };
  if (image.dockerPath) {
    labels[`${LABEL_NAMESPACE}.docker-path`] = image.dockerPath;
  }
  for (const [key, value] of Object.entries(labels)) {
    // Values go on a build command line, one KEY=VALUE a line: no newlines.
    const problem = value === '' ? null : labelProblem(value);
    if (problem) {
      throw new UserError(
        `${imageJson}: the value of ${key} ${problem}`,
        "write it again with 'mlc image manifest'"
      );
    }
  }
  return labels;
}
