/**
 * Reads `image.json` from beside an image kernel's `kernel.json`: jupyter_server
 * serves any file of a kernel-spec folder at `/kernelspecs/<name>/<file>`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IMAGE_JSON_FILE } from '../../core/kernelspec';
import { interpretImageJson, type ImageJsonResult } from './imageState';

/** The URL of `image.json` in the folder of kernel `kernelName`. */
export function imageJsonUrl(baseUrl: string, kernelName: string): string {
  return URLExt.join(
    baseUrl,
    'kernelspecs',
    encodeURIComponent(kernelName),
    IMAGE_JSON_FILE
  );
}

/**
 * Fetch and validate `image.json`. Never throws: the UI words the problem
 * (through the translator) on one line.
 */
export async function fetchImageMetadata(
  kernelName: string,
  settings: ServerConnection.ISettings
): Promise<ImageJsonResult> {
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      imageJsonUrl(settings.baseUrl, kernelName),
      { method: 'GET', cache: 'no-cache' },
      settings
    );
  } catch (reason) {
    return {
      ok: false,
      problem: 'unreachable',
      detail: Private.message(reason)
    };
  }
  if (response.status === 404) {
    return { ok: false, problem: 'missing', detail: kernelName };
  }
  if (!response.ok) {
    return {
      ok: false,
      problem: 'http',
      detail: `${response.status} ${response.statusText}`.trim()
    };
  }
  return interpretImageJson(await response.text());
}

namespace Private {
  export function message(reason: unknown): string {
    return (reason instanceof Error ? reason.message : String(reason)).split(
      '\n'
    )[0];
  }
}
