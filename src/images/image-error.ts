import { UserError } from "../util/errors.ts";

/** A file that cannot be used as an image: empty, unknown format, truncated, corrupt, too big. */
export class ImageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/** An image decoded to 8-bit RGBA, row-major, top row first. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8Array;
}
