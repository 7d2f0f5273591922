"""The PyTorch peer of `digitkit train --arch cnn` for bench/train.bench.ts: the same network
(28×28×1 → conv 3×3 32 relu → max-pool 2 → conv 3×3 64 relu → max-pool 2 → flatten → Dense 128
relu → Dense 10 softmax, 225,034 parameters), Glorot-uniform kernels and zero biases (Keras's and
DigitKit's initialisation), Adam lr 0.001, β 0.9 / 0.999, ε 1e-7 (Keras's), batch 128, inputs
byte / 255, a fresh shuffle each epoch, validation on the test set after every epoch, a
checkpoint (weights and optimizer state) written atomically after every epoch, and the test
accuracy at the end. No augmentation (torchvision is not part of Debian's python3-torch): the
bench compares it with DigitKit both as a user runs it (augmented) and with --no-augment.
Prints one JSON line.

Usage: python3 torch_cnn.py DATA_DIR OUT_DIR EPOCHS SEED TORCH_THREADS [LIMIT_TRAIN]
Run with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set and LD_LIBRARY_PATH pointing libblas.so.3
at OpenBLAS (the bench does). Convolutions run on oneDNN (mkldnn), which Debian's torch has.
"""
import time

started = time.perf_counter()
cpu_started = time.process_time()
import torch  # noqa: E402
from peer_common import init_like_keras, load_mnist, parse_args, report, train  # noqa: E402

data_dir, out_dir, epochs, limit = parse_args()
x_train, y_train, x_test, y_test = load_mnist(data_dir, (1, 28, 28), limit)

nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(1600, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
init_like_keras(model)
optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, averaged


def evaluate():
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        # In batches of 128: its fastest (1,000 at a time took 3-5x longer, out of cache).
        for start in range(0, len(x_test), 128):
            logits = model(x_test[start:start + 128])
            y = y_test[start:start + 128]
            loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
    model.train()
    return loss / len(x_test), correct / len(x_test)


epoch_seconds, epoch_cpu, val_acc = train(
    model, optimizer, loss_fn, x_train, y_train, evaluate, epochs, out_dir)
test_acc = val_acc[-1] if val_acc else evaluate()[1]  # the last validation scored these weights
report(started, cpu_started, len(x_train), epoch_seconds, epoch_cpu, val_acc, test_acc)
