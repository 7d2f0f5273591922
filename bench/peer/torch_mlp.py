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
import time

started = time.perf_counter()
cpu_started = time.process_time()
import torch  # noqa: E402
from peer_common import init_like_keras, load_mnist, parse_args, report, train  # noqa: E402

data_dir, out_dir, epochs, limit = parse_args()
x_train, y_train, x_test, y_test = load_mnist(data_dir, (784,), limit)

model = torch.nn.Sequential(
    torch.nn.Linear(784, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 10),
)
init_like_keras(model)
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


epoch_seconds, epoch_cpu, val_acc = train(
    model, optimizer, loss_fn, x_train, y_train, evaluate, epochs, out_dir)
test_loss, test_acc = evaluate()
report(started, cpu_started, len(x_train), epoch_seconds, epoch_cpu, val_acc, test_acc)
