import type { Rng } from "../util/rng.ts";

/**
 * Training-time augmentation of a batch of 28×28 images (values 0–1, row-major, `count` images
 * one after another in `images`), changed in place. Placeholder: leaves images as they are until
 * the real-handwriting work (issue 6) fills it in.
 */
export function augmentBatch(images: Float32Array, count: number, rng: Rng): void {
  void images;
  void count;
  void rng;
}
