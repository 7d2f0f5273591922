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
import json
import os
import resource
import sys
import time

started = time.perf_counter()
cpu_started = time.process_time()
import numpy as np  # noqa: E402
import torch  # noqa: E402

data_dir, out_dir = sys.argv[1], sys.argv[2]
epochs, seed, threads = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
limit = int(sys.argv[6]) if len(sys.argv) > 6 and int(sys.argv[6]) > 0 else None
torch.set_num_threads(threads)
torch.manual_seed(seed)


def idx(name, offset):
    with open(os.path.join(data_dir, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(name):
    return torch.from_numpy(idx(name, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)


x_train = images("train-images-idx3-ubyte")
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64))
x_test = images("t10k-images-idx3-ubyte")
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))
if limit:
    x_train, y_train = x_train[:limit], y_train[:limit]

nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(1600, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
for layer in model:
    if isinstance(layer, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(layer.weight)  # fan in/out as Keras counts them for conv too
        nn.init.zeros_(layer.bias)
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


os.makedirs(out_dir, exist_ok=True)
epoch_seconds, epoch_cpu, val_acc = [], [], []
for epoch in range(epochs):
    t0, c0 = time.perf_counter(), time.process_time()
    order = torch.randperm(len(x_train))
    for start in range(0, len(x_train), 128):
        batch = order[start:start + 128]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
    epoch_seconds.append(time.perf_counter() - t0)
    epoch_cpu.append(time.process_time() - c0)
    val_acc.append(evaluate()[1])
    path = os.path.join(out_dir, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path + ".tmp")
    os.replace(path + ".tmp", path)
test_acc = val_acc[-1] if val_acc else evaluate()[1]  # the last validation scored these weights
print(json.dumps({
    "epochSeconds": epoch_seconds,
    "epochCpuSeconds": epoch_cpu,
    "samples": len(x_train),
    "valAcc": val_acc,
    "testAccuracy": test_acc,
    "seconds": time.perf_counter() - started,
    "cpuSeconds": time.process_time() - cpu_started,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "torch": torch.__version__,
}))
