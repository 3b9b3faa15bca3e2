/** An image.json handed to an `mlc image` verb, as metadata or one line saying what is wrong. */
import {
  parseImageMetadata,
  type ImageMetadata
} from '../../core/imageMetadata';
import { UserError } from '../errors';

/** The metadata in `text`, read from `file`; a UserError naming the file when it is not valid. */
export function imageJsonIn(file: string, text: string): ImageMetadata {
  const parsed = parseImageMetadata(text);
  if (!parsed.ok) {
    throw new UserError(
      `${file}: ${parsed.error}`,
      "write it again with 'mlc image manifest'"
    );
  }
  return parsed.value;
}
