"""Cost of UMLAUT during training, and how soon it reports a static bug.

1. Epoch time with and without UMLAUT (same model, same data, same seed), for a small Keras CNN,
   a Keras MLP and a PyTorch MLP with TorchMonitor, with every check UMLAUT has. The first
   (warm-up: tracing, static checks) epoch is excluded. Runs are interleaved without/with/without/
   with ... (``--repeats`` pairs) so the drift of a shared machine hits both sides. From the same
   runs, two numbers per model:

   - share in hooks: the seconds UMLAUT's own clock (``session.hook_seconds``, every adapter hook)
     counted per epoch, divided by the epoch time with UMLAUT. Target: <= 2 %.
   - end-to-end ratio: epoch time with / without UMLAUT, in wall-clock seconds and in CPU seconds
     of the process (the CPU ratio is the one to trust on a loaded machine: other processes'
     load stretches wall time, not this process's CPU time). Target: <= 1.03.

   The machine's load average is printed before and after each model.
2. Time from the start of ``fit()`` to the first static finding (a model with Dropout(0.8)), polled by
   a callback that runs right after UMLAUT's, next to the time fit takes to reach its first batch
   without UMLAUT.

    .venv/bin/python benchmarks/umlaut_overhead.py --epochs 8 --repeats 2     # about 3-5 minutes
    .venv/bin/python benchmarks/umlaut_overhead.py --models torch --no-latency # PyTorch only, quick
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Never write benchmark sessions into the user's store.
os.environ.setdefault("MLNB_STORE", str(Path(tempfile.mkdtemp(prefix="mlnb-bench-")) / "store.sqlite"))

import numpy as np


# ------------------------------------------------------------------------------------------ Keras

def _keras():
    import keras
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass
    return keras


def keras_cnn(keras):
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])


def keras_mlp(keras):
    return keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                             keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")])


def data(kind: str, n: int):
    rng = np.random.default_rng(0)
    if kind == "cnn":
        y = rng.integers(0, 10, n)
        x = rng.normal(0, 1, (n, 28, 28, 1)).astype("float32") * 0.3
        x[np.arange(n), y * 2 + 4, :, 0] += 1.0  # a bright row per class: learnable
        return x, y
    y = rng.integers(0, 10, n)
    x = (rng.normal(0, 1, (n, 64)) + np.eye(10, 64)[y] * 2).astype("float32")
    return x, y


class Epochs:
    """Per-epoch wall seconds, process CPU seconds and UMLAUT hook seconds of one run."""

    def __init__(self):
        self.marks: list[tuple[float, float, float]] = []

    def mark(self, hook_seconds: float) -> None:
        self.marks.append((time.perf_counter(), time.process_time(), hook_seconds))

    def per_epoch(self) -> tuple[list[float], list[float], list[float]]:
        """(wall, cpu, hook) seconds of every epoch after the first (each epoch is the time between
        two consecutive marks; the first mark is the end of the warm-up epoch)."""
        a = np.array(self.marks)
        d = np.diff(a, axis=0)
        return list(d[:, 0]), list(d[:, 1]), list(d[:, 2])


def keras_epochs(kind: str, with_umlaut: bool, epochs: int, n: int, seed: int = 0):
    """Wall, CPU and UMLAUT-hook seconds of each epoch after the first, measured end-to-end
    (train + validation + callbacks)."""
    keras = _keras()
    keras.utils.set_random_seed(seed)
    x, y = data(kind, n)
    model = keras_cnn(keras) if kind == "cnn" else keras_mlp(keras)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    clock = Epochs()
    cb = None

    class EpochClock(keras.callbacks.Callback):  # placed last: an epoch ends after UMLAUT's work
        def on_epoch_end(self, epoch, logs=None):
            clock.mark(getattr(cb.session, "hook_seconds", 0.0) if cb is not None else 0.0)

    callbacks = []
    if with_umlaut:
        from mlnb import umlaut

        cb = umlaut.UmlautCallback(model, output_type="classification", echo=False)
        callbacks.append(cb)
    callbacks.append(EpochClock())
    split = int(n * 0.8)
    model.fit(x[:split], y[:split], validation_data=(x[split:], y[split:]), epochs=epochs, batch_size=32,
              verbose=0, callbacks=callbacks)
    return clock.per_epoch()


# ------------------------------------------------------------------------------------------ torch

def torch_epochs(with_umlaut: bool, epochs: int, n: int, seed: int = 0):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    x, y = data("mlp", n)
    split = int(n * 0.8)
    x, y, xv, yv = (torch.as_tensor(x[:split]), torch.as_tensor(y[:split]), torch.as_tensor(x[split:]),
                    torch.as_tensor(y[split:]))
    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    mon = None
    if with_umlaut:
        from mlnb import umlaut

        mon = umlaut.TorchMonitor(model, optimizer=opt, loss_fn=loss_fn, output_type="classification", echo=False)
    clock = Epochs()
    try:
        for _ in range(epochs):
            model.train()
            total = 0.0
            for i in range(0, len(x), 32):
                xb, yb = x[i:i + 32], y[i:i + 32]
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if mon:
                    mon.batch(loss=loss, inputs=xb, targets=yb, outputs=out)
                total += float(loss.detach())
            model.eval()
            with torch.no_grad():
                out = model(xv)
                val_loss = float(loss_fn(out, yv))
                val_acc = float((out.argmax(1) == yv).float().mean())
            if mon:
                mon.epoch(loss=total / (len(x) / 32), val_loss=val_loss, val_accuracy=val_acc)
            clock.mark(getattr(mon.session, "hook_seconds", 0.0) if mon else 0.0)
    finally:
        if mon:
            mon.close()
    return clock.per_epoch()


# ------------------------------------------------------------------------------------------ latency

def time_to_first_finding(n: int) -> tuple[float | None, float, str]:
    """Seconds from calling fit() to UMLAUT's first static finding, and to the first batch without UMLAUT."""
    keras = _keras()
    from mlnb import umlaut

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dropout(0.8), keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    x, y = data("mlp", n)
    seen: dict[str, float] = {}

    class Probe(keras.callbacks.Callback):  # runs right after UMLAUT's hooks
        def __init__(self, session_of, t0):
            super().__init__()
            self.session_of, self.t0 = session_of, t0

        def _poll(self, *_):
            session = self.session_of()
            if "finding" not in seen and session is not None and session.findings:
                seen["finding"] = time.perf_counter() - self.t0[0]
                seen["key"] = session.findings[0].key

        on_train_begin = on_epoch_end = _poll

        def on_train_batch_begin(self, batch, logs=None):
            seen.setdefault("batch", time.perf_counter() - self.t0[0])
            self._poll()

    # without UMLAUT: fit start -> first batch
    t0 = [0.0]
    model = build()
    t0[0] = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[Probe(lambda: None, t0)])
    first_batch_plain = seen.pop("batch")
    seen.clear()

    model = build()
    cb = umlaut.UmlautCallback(model)
    t0[0] = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[cb, Probe(lambda: cb.session, t0)])
    return seen.get("finding"), first_batch_plain, str(seen.get("key", "-"))


MODELS = {"keras-cnn": "keras CNN 28x28", "keras-mlp": "keras MLP 64-256-256", "torch": "torch MLP 64-256-256"}
CASES = {"keras-cnn": lambda args: (lambda u: keras_epochs("cnn", u, args.epochs, args.n)),
         "keras-mlp": lambda args: (lambda u: keras_epochs("mlp", u, args.epochs, args.n)),
         "torch": lambda args: (lambda u: torch_epochs(u, args.epochs, args.n))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6, help="epochs per run (the first is excluded)")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved without/with pairs per model")
    parser.add_argument("--n", type=int, default=4096, help="samples per run (80%% train, 20%% validation)")
    parser.add_argument("--models", default="keras-cnn,keras-mlp,torch",
                        help="comma-separated models to time, of keras-cnn, keras-mlp, torch (default: all three)")
    parser.add_argument("--no-latency", action="store_true", help="skip the time-to-first-finding measurement")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error(f"--epochs must be >= 2 (the first epoch is excluded), got {args.epochs}")

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        parser.error(f"--models={args.models!r} is not valid; expected a comma-separated list of {', '.join(MODELS)}")

    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"epoch time, {args.epochs - 1} timed epochs x {args.repeats} interleaved runs each way "
          f"(without, with, without, with, ...), n={args.n}, batch 32, 1 thread, {os.cpu_count()} cores")
    print(f"{'model':22} {'without s/ep':>12} {'with s/ep':>10} {'in hooks s/ep':>14} {'share':>6} "
          f"{'ratio wall':>11} {'ratio CPU':>10}  load before -> after")
    cases = [(MODELS[m], CASES[m](args)) for m in models]
    worst_share = worst_ratio = 0.0
    for name, fn in cases:
        fn(False)  # warm the framework (graph caches, allocator) before timing anything
        load = os.getloadavg()[0]
        wall = {False: [], True: []}
        cpu = {False: [], True: []}
        hooks: list[float] = []
        for _ in range(args.repeats):
            for with_umlaut in (False, True):
                w, c, h = fn(with_umlaut)
                wall[with_umlaut] += w
                cpu[with_umlaut] += c
                if with_umlaut:
                    hooks += h
        a, b = statistics.mean(wall[False]), statistics.mean(wall[True])
        share = sum(hooks) / sum(wall[True])
        ratio_cpu = statistics.mean(cpu[True]) / statistics.mean(cpu[False])
        worst_share, worst_ratio = max(worst_share, share), max(worst_ratio, ratio_cpu)
        print(f"{name:22} {a:12.3f} {b:10.3f} {statistics.mean(hooks):14.4f} {share:6.1%} {b / a:11.3f} "
              f"{ratio_cpu:10.3f}  {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
    print("(in hooks = UMLAUT's own clock, session.hook_seconds: every adapter hook on the training thread;\n"
          " ratio = mean epoch time with / without UMLAUT, in wall seconds and in the process's CPU seconds;\n"
          " targets: share <= 2%, ratio <= 1.03)")
    print(f"worst share {worst_share:.1%} (target <= 2%): {'met' if worst_share <= 0.02 else 'NOT met'}; "
          f"worst CPU ratio {worst_ratio:.3f} (target <= 1.03): {'met' if worst_ratio <= 1.03 else 'NOT met'}")

    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.no_latency:
        return 0
    found, plain, key = time_to_first_finding(args.n // 4)
    print()
    print(f"fit() start -> first batch, without UMLAUT:        {plain:6.3f} s")
    if found is None:
        print("fit() start -> first static finding, with UMLAUT:  none seen during the first epoch")
    else:
        print(f"fit() start -> first static finding, with UMLAUT:  {found:6.3f} s  ({key})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
