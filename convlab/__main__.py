"""Command line: prepare a model before class.

    python -m convlab train --dataset digits|shapes [--preset NAME] [--epochs N] [--seed S] [--out FILE]

One progress line per epoch; the last line is a JSON object with test_accuracy, train_seconds
(training wall time only), epochs and params. --out writes the safetensors model with its spec.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    from convlab.data import DATASETS, load_dataset
    from convlab.errors import ConvlabError
    from convlab.models import PRESETS, preset
    from convlab.training import OPTIMIZERS, TrainConfig, train

    ap = argparse.ArgumentParser(prog="python -m convlab", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a preset CNN on bundled data")
    t.add_argument("--dataset", choices=DATASETS, required=True)
    t.add_argument("--preset", choices=list(PRESETS), default="small")
    t.add_argument("--epochs", type=int, default=8)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lr", type=float, default=0.005)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--out", help="write the model here (.safetensors)")
    args = ap.parse_args(argv)

    try:
        data = load_dataset(args.dataset, seed=0)
        spec = preset(args.preset)
        config = TrainConfig(optimizer=args.optimizer, lr=args.lr, batch_size=args.batch_size, epochs=args.epochs,
                             seed=args.seed, threads=args.threads)

        def report(p) -> None:
            if p.test_acc is not None:
                print(f"epoch {p.epoch}/{p.epochs}: train loss {p.train_loss:.4f}, train acc {p.train_acc:.3f}, "
                      f"test acc {p.test_acc:.3f}", flush=True)

        result = train(spec, data, config, on_progress=report)
    except ConvlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.out:
        from convlab.modelio import save_model
        with open(args.out, "wb") as f:
            f.write(save_model(result.model.cpu(), spec, data.input_shape, data.classes, data.mean, data.std))
    if result.status != "done":
        print(result.message, file=sys.stderr)
    print(json.dumps({"test_accuracy": round(result.test_accuracy, 4), "train_seconds": round(result.train_seconds, 3),
                      "epochs": result.epochs, "params": result.params, "dataset": args.dataset,
                      "preset": args.preset, "seed": args.seed, "status": result.status, "device": result.device}))
    return 0 if result.status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
