"""What both PyTorch peers of bench/train.bench.ts share: their command line, MNIST's IDX files,
Keras's initialisation, and what `digitkit train` does around the steps (a fresh shuffle each
epoch, validation on the test set after every epoch, a checkpoint of weights and optimizer state
written atomically after every epoch) and the one JSON line they print.

Usage of a peer: python3 PEER.py DATA_DIR OUT_DIR EPOCHS SEED TORCH_THREADS [LIMIT_TRAIN]
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def parse_args():
    """The peer's arguments (data dir, out dir, epochs, limit); sets torch's threads and seed."""
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    epochs, seed, threads = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    limit = int(sys.argv[6]) if len(sys.argv) > 6 and int(sys.argv[6]) > 0 else None
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return data_dir, out_dir, epochs, limit


def load_mnist(data_dir, shape, limit):
    """Train and test images (byte / 255, each of `shape`) and labels; the first `limit` train ones."""
    def idx(name, offset):
        with open(os.path.join(data_dir, name), "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

    def images(name):
        return torch.from_numpy(idx(name, 16).reshape(-1, *shape).astype(np.float32) / 255)

    def labels(name):
        return torch.from_numpy(idx(name, 8).astype(np.int64))

    x_train, y_train = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
    x_test, y_test = images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return x_train, y_train, x_test, y_test


def init_like_keras(model):
    """Glorot-uniform kernels (fan in/out as Keras counts them, for conv too) and zero biases."""
    for layer in model:
        if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)


def train(model, optimizer, loss_fn, x_train, y_train, evaluate, epochs, out_dir):
    """Batches of 128; returns each epoch's wall and CPU seconds and its validation accuracy."""
    os.makedirs(out_dir, exist_ok=True)
    epoch_seconds, epoch_cpu, val_acc = [], [], []
    for _ in range(epochs):
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
    return epoch_seconds, epoch_cpu, val_acc


def report(started, cpu_started, samples, epoch_seconds, epoch_cpu, val_acc, test_acc):
    """The one JSON line the bench reads."""
    print(json.dumps({
        "epochSeconds": epoch_seconds,
        "epochCpuSeconds": epoch_cpu,
        "samples": samples,
        "valAcc": val_acc,
        "testAccuracy": test_acc,
        "seconds": time.perf_counter() - started,
        "cpuSeconds": time.process_time() - cpu_started,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
    }))
