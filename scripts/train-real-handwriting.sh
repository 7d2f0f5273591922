#!/bin/sh
# Rebuilds the shipped checkpoints of issue 6 (real handwriting): MNIST plus pen strokes of
# writers 01–15, augmentation, temperature calibration on writers 16–20 (writers 21–30 are never
# used here: they are the held-out figure). Then `npm run build-models` exports them and writes the
# cards, and `npm run eval:strokes -- ... --card` adds the real-handwriting figures.
# About 30 min for the CNN and 25 min for the MLP on two shared cores (see the model cards).
set -e
node --import tsx scripts/build-stroke-data.ts --out .cache/mnist-pendigits --copies 4 --seed 1
node bin/digitkit.js train --arch cnn --epochs 3 --optimizer adam --augment \
  --data .cache/mnist-pendigits --out models/checkpoints/mnist_cnn
node --import tsx scripts/calibrate.ts models/checkpoints/mnist_cnn
node bin/digitkit.js train --arch mlp --epochs 8 --optimizer adam --dropout 0.2 --augment \
  --data .cache/mnist-pendigits --out models/checkpoints/mnist_mlp
node --import tsx scripts/calibrate.ts models/checkpoints/mnist_mlp
npm run build-models
for model in mnist_cnn.tflite mnist_mlp.tflite; do
  npm run eval:strokes -- --mode app --input events --model "$model" --card
  npm run eval:strokes -- --mode scans --model "$model" --limit 2000 --card
done
