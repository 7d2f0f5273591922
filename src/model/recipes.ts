import type { Architecture } from "./architectures.ts";

/** The optimizers a recipe can name (src/train/optimizers.ts implements them). */
export const OPTIMIZERS = ["rmsprop", "adam", "sgd"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** How a network is trained when no option says otherwise. */
export interface Recipe {
  epochs: number;
  optimizer: OptimizerName;
  /** Multiply the learning rate by this after every epoch (1: constant). */
  lrDecay: number;
  dropout: number;
  augment: boolean;
}

/**
 * Each architecture's recipe: the MLP exactly as the tutorial trains it, the CNN with the recipe
 * that reaches 99.3% on MNIST (see README, "The CNN recipe"). Batch 128 and the optimizer's
 * default learning rate for both.
 */
export const RECIPES: Record<Architecture, Recipe> = {
  mlp: { epochs: 5, optimizer: "rmsprop", lrDecay: 1, dropout: 0, augment: false },
  cnn: { epochs: 12, optimizer: "adam", lrDecay: 1, dropout: 0, augment: true },
};
