"""Command line: prepare a model before class, and run every benchmark.

    python -m convlab train --dataset digits|shapes|faces [--preset NAME] [--epochs N] [--seed S] [--out FILE]
    python -m convlab faces-report [--model FILE]   (the held-out checks of a faces model, as in assets/README.md)
    python -m convlab bench     (from a checkout: runs benchmarks/*.py one after another, one report)
    python -m convlab site OUT/ [--app-url URL]   (the sliding-window lessons as a static site: docs/deploy.md)

One progress line per epoch; the last line is a JSON object with test_accuracy, train_seconds
(training wall time only), epochs and params. --out writes the safetensors model with its spec.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    from convlab.datasets.base import DATASETS
    from convlab.datasets.registry import load_dataset
    from convlab.errors import ConvlabError
    from convlab.networks.models import PRESETS, preset
    from convlab.networks.training import OPTIMIZERS, TrainConfig, train

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
    sub.add_parser("bench", help="run every benchmark in benchmarks/ (a checkout) and print their ratio tables")
    r = sub.add_parser("faces-report", help="held-out checks of a faces model, before (LFW only) and after the fixes")
    r.add_argument("--model", default=None, help="a .safetensors faces model (default: the bundled one)")
    r.add_argument("--naive-epochs", type=int, default=30)
    r.add_argument("--threads", type=int, default=2)
    s = sub.add_parser("site", help="write the lesson map and the sliding-window lessons as a static site")
    s.add_argument("out", help="the folder to write (created if missing)")
    s.add_argument("--app-url", default=None, help="where the app runs, for what needs a server "
                                                   "(default http://localhost:8501)")
    args = ap.parse_args(argv)
    if args.command == "site":
        from convlab.view.site import DEFAULT_APP_URL, build_site
        files = build_site(args.out, args.app_url or DEFAULT_APP_URL)
        print(f"wrote {len(files)} files to {args.out}: serve the folder with any static web server")
        return 0
    if args.command == "bench":
        return bench()
    if args.command == "faces-report":
        return faces_report(args.model, args.naive_epochs, args.threads)

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
        from convlab.networks.modelio import save_model
        with open(args.out, "wb") as f:
            f.write(save_model(result.model.cpu(), spec, data.input_shape, data.classes, data.mean, data.std))
    if result.status != "done":
        print(result.message, file=sys.stderr)
    print(json.dumps({"test_accuracy": round(result.test_accuracy, 4), "train_seconds": round(result.train_seconds, 3),
                      "epochs": result.epochs, "params": result.params, "dataset": args.dataset,
                      "preset": args.preset, "seed": args.seed, "status": result.status, "device": result.device}))
    return 0 if result.status == "done" else 1


def faces_report(path: str | None, naive_epochs: int, threads: int) -> int:
    """Markdown: the model's test accuracy, textures called a face, selfies found, verdicts on every bundled
    photo and the eyes-versus-background occlusion; next to a model of the same architecture trained on the
    LFW subset alone (the naive model) where it applies."""
    from convlab.networks.bundled import as_classifier, bundled
    from convlab.datasets.registry import load_dataset
    from convlab.datasets.faces import make_faces
    from convlab.networks.face_checks import eyes_versus_background, photo_verdicts, selfie_rate, texture_rate
    from convlab.networks.modelio import load_model
    from convlab.networks.training import TrainConfig, evaluate, train

    import torch

    fixed = as_classifier(load_model(open(path, "rb").read())) if path else bundled("faces")
    lfw = make_faces(naive=True)
    result = train(fixed.spec, lfw, TrainConfig(lr=0.005, batch_size=32, epochs=naive_epochs, seed=0,
                                                                   threads=threads, device="cpu"))
    naive = as_classifier((result.model.eval(), lfw))
    data = load_dataset("faces")
    models = {"naive (LFW subset only)": naive, "bundled faces model": fixed}

    def accuracy(clf, d) -> float:
        return evaluate(clf.model, torch.from_numpy(clf.normalise(d.x_test)), torch.from_numpy(d.y_test))[1]

    print("| model | faces test split | LFW-only test split | brick: crops called face / whole P(face) | "
          "grass | gravel | selfies called face | the same frames without the face |\n|---|---|---|---|---|---|---|---|")
    for label, clf in models.items():
        tex = [texture_rate(clf, t) for t in ("brick", "grass", "gravel")]
        print(f"| {label} | {accuracy(clf, data):.1%} | {accuracy(clf, lfw):.1%} | "
              + " | ".join(f"{rate:.0%} / {whole:.2f}" for rate, whole in tex)
              + f" | {selfie_rate(clf):.0%} | {selfie_rate(clf, face=False):.0%} |")
    print("\n| photo | naive P(face) | bundled P(face) | bundled verdict |\n|---|---|---|---|")
    before, after = photo_verdicts(naive), photo_verdicts(fixed)
    for name, p in after.items():
        print(f"| {name} | {before[name]:.2f} | {p:.2f} | {'face' if p > 0.5 else 'not face'} |")
    print("\n" + eyes_versus_background(fixed).text())
    return 0


BENCHES = ("bench_occlusion.py", "bench_training.py", "bench_core.py", "bench_pages.py")


def bench() -> int:
    """Each benchmark compares convlab with its peer in one process and prints ratios; this runs them all
    in turn on this machine, under a header that says which machine it is."""
    import os
    import pathlib
    import platform
    import subprocess

    import torch

    from convlab.networks.training import best_device

    root = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"
    if not root.is_dir():
        print("error: benchmarks/ not found: run this from a ConvLab checkout", file=sys.stderr)
        return 2
    print(f"# ConvLab benchmarks\nmachine: {platform.platform()}, {os.cpu_count()} CPU cores, "
          f"python {platform.python_version()}, torch {torch.__version__}, best device: {best_device()}\n", flush=True)
    import json
    import tempfile

    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        summary = pathlib.Path(tmp) / "summary.jsonl"
        env = {**os.environ, "CONVLAB_BENCH_SUMMARY": str(summary)}
        for name in BENCHES:
            print(f"## {name}", flush=True)
            rc = subprocess.call([sys.executable, str(root / name)], cwd=root.parent, env=env)
            failed += rc != 0
            print(flush=True)
        rows = [json.loads(line) for line in summary.read_text().splitlines()] if summary.exists() else []
    print("## Summary: ratios against the peer, measured in this run\n")
    print("| benchmark | case | ratio | ratio means | figures |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['bench']} | {r['case']} | {r['ratio']:.2f}× | {r['meaning']} | {r['detail']} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
