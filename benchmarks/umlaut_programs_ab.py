"""UMLAUT on the thesis's user-study programs A and B (thesis §3.7.3).

The study program: load CIFAR-10, a 7-layer CNN (4 Conv2D + 3 Dense), cross-entropy + Adam, 10 epochs.
Program A carries bugs A1 (no softmax after the last Dense while the loss expects probabilities),
A2 (Dropout 0.8), A3 (pixels not normalised, 0..255); program B carries B1 (learning rate -1e3 instead
of 1e-3), B2 (no ReLU activations), B3 (validation data = the first 100 training images).

This script runs the bug-free program, each bug alone, and the two study programs with their three bugs
together, and prints for each run the expected keys, the keys UMLAUT found and hit/miss.

Data: by default CIFAR-10-shaped images made in code (32x32x3 uint8, 10 learnable classes: five shapes
in two colours on textured noise), so it runs offline. ``--cifar10`` loads keras.datasets.cifar10
(needs a network the first time).

    .venv/bin/python benchmarks/umlaut_programs_ab.py                 # offline; ~4 min CPU (9 runs x 5 epochs)
    .venv/bin/python benchmarks/umlaut_programs_ab.py --cifar10 --n-train 50000 --epochs 10
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

EXPECTED = {
    "A1": "missing-softmax",
    "A2": "high-dropout",
    "A3": "input-not-normalized",
    "B1": "lr-out-of-range",
    "B2": "missing-activation",
    "B3": "train-val-overlap",
}
PROGRAMS = {"A": ("A1", "A2", "A3"), "B": ("B1", "B2", "B3")}


def synthetic_cifar(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10-shaped uint8 images (n, 32, 32, 3) and labels (n, 1) of a learnable 10-class task:
    class = shape (horizontal bar, vertical bar, diagonal, anti-diagonal, ring) x colour (warm, cool),
    at a random place, on a textured random background."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    rows, cols = np.mgrid[0:32, 0:32]
    base = rng.normal(0, 1, (n, 8, 8, 3)).repeat(4, 1).repeat(4, 2)  # blotchy texture
    x = 110 + 25 * base + rng.normal(0, 10, (n, 32, 32, 3))
    colours = np.array([[220, 90, 40], [40, 120, 220]], dtype=float)
    for i, label in enumerate(y):
        shape, colour = label % 5, colours[label // 5] + rng.normal(0, 15, 3)
        r, c = rng.integers(8, 24, 2)
        if shape == 0:
            mask = (np.abs(rows - r) <= 2) & (np.abs(cols - c) <= 9)
        elif shape == 1:
            mask = (np.abs(cols - c) <= 2) & (np.abs(rows - r) <= 9)
        elif shape == 2:
            mask = (np.abs((rows - r) - (cols - c)) <= 2) & (np.abs(rows - r) <= 7)
        elif shape == 3:
            mask = (np.abs((rows - r) + (cols - c)) <= 2) & (np.abs(rows - r) <= 7)
        else:
            d = np.hypot(rows - r, cols - c)
            mask = (d >= 3.5) & (d <= 6.5)
        x[i][mask] = colour
    return np.clip(x, 0, 255).astype("uint8"), y.reshape(-1, 1).astype("uint8")


def load_data(args):
    if args.cifar10:
        import keras

        (x, y), (xt, yt) = keras.datasets.cifar10.load_data()
        return (x[: args.n_train], y[: args.n_train]), (xt[: args.n_test], yt[: args.n_test])
    return synthetic_cifar(args.n_train, seed=0), synthetic_cifar(args.n_test, seed=1)


def study_program(bugs: set[str], data, epochs: int, umlaut_on: bool = True):
    """The study's Keras program, with the named bugs injected exactly as §3.7.3 describes."""
    import keras

    from mlnb import umlaut

    keras.utils.set_random_seed(0)
    (train_images, train_labels), (test_images, test_labels) = data
    if "A3" not in bugs:  # A3: the division by 255 is missing
        train_images = train_images / 255.0
        test_images = test_images / 255.0
    else:
        train_images = train_images.astype("float32")
        test_images = test_images.astype("float32")

    act = "linear" if "B2" in bugs else "relu"  # B2: no ReLU anywhere
    rate = 0.8 if "A2" in bugs else 0.2  # A2: dropout 0.8
    model = keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(64, 3, activation=act),
        keras.layers.Conv2D(64, 3, activation=act),
        keras.layers.MaxPool2D(2),
        keras.layers.Dropout(rate),
        keras.layers.Conv2D(128, 3, activation=act),
        keras.layers.Conv2D(128, 3, activation=act),
        keras.layers.MaxPool2D(2),
        keras.layers.Dropout(rate),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation=act),
        keras.layers.Dense(128, activation=act),
        keras.layers.Dropout(rate),
        keras.layers.Dense(10),
    ])
    cb = umlaut.UmlautCallback(model, input_type="image", output_type="classification") if umlaut_on else None

    # A1: the last Dense has no softmax, yet the loss is told it receives probabilities.
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits="A1" not in bugs)
    lr = -1e3 if "B1" in bugs else 1e-3  # B1: -1e3 instead of 1e-3
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss=loss, metrics=["accuracy"])

    if "B3" in bugs:  # B3: validation data are the first 100 training images
        validation = (train_images[:100], train_labels[:100])
    else:
        validation = (test_images[: len(test_images) // 2], test_labels[: len(test_labels) // 2])
    start = time.perf_counter()
    history = model.fit(train_images, train_labels, epochs=epochs, batch_size=128, verbose=0,
                        callbacks=[cb] if cb else [], validation_data=validation)
    seconds = time.perf_counter() - start
    half = len(test_images) // 2
    _, test_acc = model.evaluate(test_images[half:], test_labels[half:], verbose=0, batch_size=512)
    return (list(cb.session.findings) if cb else []), history.history, test_acc, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cifar10", action="store_true", help="use keras.datasets.cifar10 (downloads once)")
    parser.add_argument("--n-train", type=int, default=1024)
    parser.add_argument("--n-test", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--runs", default="clean,A1,A2,A3,B1,B2,B3,A,B",
                        help="comma list of: clean, a bug id (A1..B3), or A / B for the whole study program")
    args = parser.parse_args(argv)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    data = load_data(args)
    source = "keras.datasets.cifar10" if args.cifar10 else "synthetic CIFAR-shaped images (offline)"
    print(f"data: {source}; train {len(data[0][0])}, test {len(data[1][0])}; epochs {args.epochs}, batch 128")
    print(f"{'run':6} {'bugs':9} {'expected':48} {'found (severity:key)':60} {'result':8} {'test acc':>8} {'fit s':>6}")
    hits = total = 0
    clean_ok = None
    for run in [r.strip() for r in args.runs.split(",") if r.strip()]:
        bugs = set(PROGRAMS.get(run, () if run == "clean" else (run,)))
        unknown = bugs - set(EXPECTED)
        if unknown:
            parser.error(f"--runs: unknown run {run!r}; expected clean, {', '.join(EXPECTED)}, A or B")
        findings, history, test_acc, seconds = study_program(bugs, data, args.epochs)
        found = sorted({(f.severity, f.key) for f in findings}, key=lambda t: ("critical", "error", "warning").index(t[0]))
        found_txt = ", ".join(f"{s[0]}:{k}" for s, k in found) or "-"
        keys = {k for _, k in found}
        if bugs:
            expected = [EXPECTED[b] for b in sorted(bugs)]
            hit = [k for k in expected if k in keys]
            hits += len(hit)
            total += len(expected)
            result = f"{len(hit)}/{len(expected)}"
            exp_txt = ", ".join(f"{b}={EXPECTED[b]}" for b in sorted(bugs))
        else:
            serious = [k for s, k in found if s in ("critical", "error")]
            clean_ok = not serious
            result = "clean" if clean_ok else "FALSE+"
            exp_txt = "no error/critical"
        print(f"{run:6} {'+'.join(sorted(bugs)) or '-':9} {exp_txt:48} {found_txt:60} {result:8} {test_acc:8.3f} {seconds:6.1f}",
              flush=True)
        for f in findings:
            if f.severity in ("critical", "error") or run != "clean":
                continue
            print(f"       warning on clean program: {f.key}: {f.title}")
    if total:
        print(f"\nbugs detected (expected key found): {hits}/{total} = {hits / total:.0%}")
    if clean_ok is not None:
        print(f"bug-free program: {'no error/critical finding' if clean_ok else 'HAS error/critical findings'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
