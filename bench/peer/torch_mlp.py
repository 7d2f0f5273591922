"""The PyTorch peer of `digitkit train` for bench/train.bench.ts: the tutorial network
(784 → Dense 512 relu → Dense 512 relu → Dense 10 softmax), Glorot-uniform weights and zero biases
(Keras's and DigitKit's initialisation), RMSprop lr 0.001, rho 0.9, eps 1e-7 outside the square
root (Keras's, which torch.optim.RMSprop also uses), batch 128, inputs byte / 255, a fresh
shuffle each epoch, and what the command does around the steps: validation on the test set after
every epoch, a checkpoint (weights and optimizer state) written after every epoch, and the test
accuracy at the end. Prints one JSON line.

Usage: python3 torch_mlp.py DATA_DIR OUT_DIR EPOCHS SEED TORCH_THREADS [LIMIT_TRAIN]
Run with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller (the bench does), and
LD_LIBRARY_PATH pointing libblas.so.3 at OpenBLAS (Debian's torch otherwise calls the reference
BLAS, ten times slower).
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


x_train = torch.from_numpy(idx("train-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))
if limit:
    x_train, y_train = x_train[:limit], y_train[:limit]

model = torch.nn.Sequential(
    torch.nn.Linear(784, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 10),
)
for layer in model:
    if isinstance(layer, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, averaged


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        loss = loss_fn(logits, y_test).item()
        acc = (logits.argmax(1) == y_test).float().mean().item()
    model.train()
    return loss, acc


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
    # Written atomically, as DigitKit writes its checkpoints.
    path = os.path.join(out_dir, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path + ".tmp")
    os.replace(path + ".tmp", path)
test_loss, test_acc = evaluate()
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
