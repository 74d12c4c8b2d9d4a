"""Command line: prepare a model before class, and run every benchmark.

    python -m convlab train --dataset digits|shapes|faces [--preset NAME] [--epochs N] [--seed S] [--out FILE]
    python -m convlab train-faces [--seed S] [--out FILE]   (the bundled faces model's recipe: convlab.datasets.faces.train_faces)
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
    f = sub.add_parser("train-faces", help="the bundled faces model: data, hard negatives, calibrated threshold")
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--n", type=int, default=10000)
    f.add_argument("--epochs", type=int, nargs=2, default=[14, 6], metavar=("FIRST", "AFTER_MINING"))
    f.add_argument("--hard", type=int, default=3000)
    f.add_argument("--pool", type=int, default=16000)
    f.add_argument("--filters", type=int, default=10, help="maps per conv layer")
    f.add_argument("--scan", type=int, default=0, help="also mine this many windows of the training photos")
    f.add_argument("--threads", type=int, default=2)
    f.add_argument("--out", help="write the model here (.safetensors)")
    sub.add_parser("bench", help="run every benchmark in benchmarks/ (a checkout) and print their ratio tables")
    r = sub.add_parser("faces-report", help="the real-photo check of a faces model (held out), and the naive model's")
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
    if args.command == "train-faces":
        return train_faces_command(args)
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


def train_faces_command(args) -> int:
    """python -m convlab train-faces: convlab.datasets.faces.train_faces, then the file with mirror=True in its metadata."""
    from convlab.errors import ConvlabError
    from convlab.datasets.faces import faces_spec, train_faces
    from convlab.networks.modelio import save_model

    def report(p) -> None:
        if p.test_acc is not None:
            print(f"epoch {p.epoch}/{p.epochs}: train loss {p.train_loss:.4f}, train acc {p.train_acc:.3f}, "
                  f"validation acc {p.test_acc:.3f}", flush=True)

    try:
        model, data, summary = train_faces(args.seed, args.n, tuple(args.epochs), args.hard, args.pool,
                                           threads=args.threads, on_progress=report, spec=faces_spec(args.filters),
                                           scan=args.scan)
    except ConvlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from convlab.networks.bundled import Classifier
    from convlab.images.find_faces import detection_threshold
    detect = detection_threshold(Classifier(model, data.input_shape, data.classes, data.mean, data.std, "", None, True))
    summary = {**summary, "detect_threshold": detect}
    if args.out:
        with open(args.out, "wb") as f:
            f.write(save_model(model, faces_spec(args.filters), data.input_shape, data.classes, data.mean, data.std,
                               mirror=True, detect=detect))
    print(json.dumps({**{k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()},
                      "params": sum(p.numel() for p in model.parameters()), "seed": args.seed}))
    return 0


def faces_report(path: str | None, naive_epochs: int, threads: int) -> int:
    """Markdown: the real-photo check (the three rates and mirror agreement on the held-out manifest) of the faces
    model, the same for a model of the same architecture trained on the LFW subset alone (the naive model), the
    validation accuracy, P(face) of every photo in the wheels (held out or not), and the eyes-versus-background
    occlusion."""
    from convlab.networks.bundled import as_classifier, bundled
    from convlab.datasets.registry import load_dataset
    from convlab.datasets.faces import FACES_SPEC, HELD_OUT_PHOTOS, TRAINING_PHOTOS, make_faces
    from convlab.networks.face_checks import eyes_versus_background, load_manifest, photo_verdicts, real_check
    from convlab.networks.modelio import load_model
    from convlab.networks.training import TrainConfig, evaluate, train

    import torch

    fixed = as_classifier(load_model(open(path, "rb").read())) if path else bundled("faces")
    lfw = make_faces(naive=True)
    result = train(FACES_SPEC, lfw, TrainConfig(lr=0.005, batch_size=32, epochs=naive_epochs, seed=0,
                                                threads=threads, device="cpu"))
    naive = as_classifier((result.model.eval(), lfw))
    entries = load_manifest()
    check, before = real_check(fixed, entries), real_check(naive, entries)
    print(f"Real-photo check: {len(entries)} held-out images (assets/faces_heldout.json), each also mirrored.\n")
    print(check.table())
    tight, selfie, other = check.rate("tight"), check.rate("selfie: all"), check.rate("non-faces: all")
    agree = check.rows["selfie: all"][2]
    print(f"\nTargets: tight faces ≥ 95 % ({tight:.1%}), selfie-framed ≥ 90 % ({selfie:.1%}) with the same verdict "
          f"mirrored in ≥ 95 % ({agree:.1%}), non-faces called a face ≤ 5 % ({other:.1%}).")
    print(f"\nThe naive model (the same network on the LFW subset alone, {naive_epochs} epochs): tight "
          f"{before.rate('tight'):.1%}, selfie {before.rate('selfie: all'):.1%}, non-faces called a face "
          f"{before.rate('non-faces: all'):.1%}.")
    data = load_dataset("faces")
    _, acc = evaluate(fixed.model, torch.from_numpy(fixed.normalise(data.x_test)), torch.from_numpy(data.y_test))
    print(f"\nValidation split of the faces dataset (no mirror averaging): {acc:.1%} of {len(data.y_test)}.")
    print("\n| photo (whole, fitted to 25×25 grey) | used for | P(face) | verdict |\n|---|---|---|---|")
    for name, p in photo_verdicts(fixed).items():
        used = "held out" if name in HELD_OUT_PHOTOS else "training" if name in TRAINING_PHOTOS else "nothing"
        print(f"| {name} | {used} | {p:.2f} | {'face' if p > 0.5 else 'not face'} |")
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
