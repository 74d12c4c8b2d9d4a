"""Exercises: every kind's answer checked independently (torch, autograd or the textbook formula) over
many seeds and levels; the checker accepts the right answer in each allowed format and rejects wrong
ones; the worked solution carries the right numbers; same seed, same set; worksheets."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab.classroom.exercises
from oracle import per_seed
from convlab.errors import ConvlabError
from convlab.classroom.exercises import (KINDS, LEVELS, Draw, Exercise, format_answer, make_exercise, make_set, parse_numbers,
                               parse_set_params, set_params, worksheet_html, worksheet_markdown)

SEEDS = range(40)
T = lambda a: torch.tensor(np.asarray(a, dtype=float))   # noqa: E731


def oracle(ex):
    """The right answers, computed without convlab."""
    d = ex.data
    if ex.kind == "output_size":
        y = F.conv1d(torch.zeros(1, 1, d["n"]), torch.zeros(1, 1, d["k"]), stride=d["s"], padding=d["p"], dilation=d["d"])
        return [y.shape[-1]]
    if ex.kind == "dropped":
        x = torch.zeros(1, 1, d["n"], requires_grad=True)
        F.conv1d(x, torch.ones(1, 1, d["k"]), stride=d["s"]).sum().backward()
        return [int((x.grad == 0).sum())]
    if ex.kind == "tf_same":
        out = math.ceil(d["n"] / d["s"])
        pad = max((out - 1) * d["s"] + d["k"] - d["n"], 0)
        return [pad, pad // 2, pad - pad // 2]
    if ex.kind == "conv_cell":
        x, w = T(d["x"]), T(d["w"])
        if x.dim() == 1:
            return [float(F.conv1d(x[None, None], w[None, None])[0, 0][d["index"]])]
        return [float(F.conv2d(x[None], w, T([d["b"]]))[0, 0][d["index"]])]
    if ex.kind == "pooling":
        pool = F.max_pool2d if d["mode"] == "max" else F.avg_pool2d
        return [pool(T(d["x"])[None, None], d["k"], d["s"])[0, 0].numpy()]
    if ex.kind == "params":
        conv = torch.nn.Conv2d(d["c"], d["f"], d["k"], d["s"], d["p"])
        out = conv(torch.zeros(1, d["c"], d["h"], d["h"]))
        return [sum(p.numel() for p in conv.parameters()), out.numel() * d["c"] * d["k"] ** 2]
    if ex.kind == "read_config":
        x, w = d["x"], d["w"]
        want = F.conv2d(T(x)[None], T(w), stride=d["s"], padding=d["p"])[0].numpy()
        outputs = [g for name, g in ex.figures if name.startswith("output")]
        np.testing.assert_allclose(np.stack(outputs), want)                 # the picture is what torch computes
        for name, g in ex.figures:
            if name.startswith("input") and d["p"]:
                assert not g[0].any() and not g[-1].any() and not g[:, 0].any() and not g[:, -1].any()
        sizes = {(x.shape[1] + 2 * d["p"] - w.shape[-1]) // s + 1 for s in (1, 2)}
        assert len(sizes) == 2, "the stride must be readable from the output size"
        return [x.shape[0], w.shape[0], w.shape[-1], d["p"], d["s"]]
    if ex.kind == "im2col":
        cols = F.unfold(T(d["x"])[None], d["k"], stride=d["s"], padding=d["p"])[0].numpy()
        return [cols.shape, cols[:, d["j"]]]
    if ex.kind == "toeplitz":
        jac = torch.autograd.functional.jacobian(
            lambda v: F.conv1d(v[None, None], T(d["w"])[None, None], stride=d["s"], padding=d["p"])[0, 0],
            torch.zeros(d["n"], dtype=torch.float64))
        return [jac[d["r"]].numpy()]
    if ex.kind == "receptive_field":
        n = 200
        x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
        h = x
        for k, s, dil in d["layers"]:
            h = F.conv1d(h, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=dil)
        h[0, 0, h.shape[-1] // 2].backward()
        nz = torch.nonzero(x.grad[0, 0]).ravel()
        return [int(nz.max() - nz.min() + 1)]
    if ex.kind == "grad_w":
        w = T(d["w"]).requires_grad_()
        (F.conv2d(T(d["x"])[None], w, stride=d["s"]) * T(d["g"])[None]).sum().backward()
        return [float(w.grad[0, 0, d["a"], d["b"]])]
    if ex.kind in BEYOND_2D:
        return BEYOND_2D[ex.kind](ex)
    raise AssertionError(ex.kind)


def _flops(module, shape) -> int:
    """Multiply–adds of one input through module, counted by torch (it counts each as 2 FLOPs)."""
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter:
        module(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2


def _n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _causal_oracle(ex):
    k, dilations = ex.data["k"], ex.data["dilations"]
    n = 400
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    h = x
    for dil in dilations:
        h = F.conv1d(F.pad(h, ((k - 1) * dil, 0)), torch.ones(1, 1, k, dtype=torch.float64), dilation=dil)
    h[0, 0, n - 1].backward()
    nz = torch.nonzero(x.grad[0, 0]).ravel()
    # the fewest zeros before the input that keep the last layer's output as long as its input
    pad = next(p for p in range(200) if F.conv1d(torch.zeros(1, 1, 50 + p), torch.zeros(1, 1, k),
                                                 dilation=dilations[-1]).shape[-1] == 50)
    return [int(nz.max() - nz.min() + 1), pad]


def _separable_oracle(ex):
    c, o, k, h, bias = (ex.data[key] for key in ("c", "o", "k", "h", "bias"))
    standard = torch.nn.Conv2d(c, o, k, padding=k // 2, bias=bias)
    separable = torch.nn.Sequential(torch.nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=bias),
                                    torch.nn.Conv2d(c, o, 1, bias=bias))
    want = [_n_params(standard), _n_params(separable)]
    if ex.level == 3:
        want.append(_flops(separable, (c, h, h)) / _flops(standard, (c, h, h)))
    return want


def _3d_oracle(ex):
    d = ex.data
    y = F.conv3d(torch.zeros(1, d["c"], d["d"], d["h"], d["h"]), torch.zeros(d["f"], d["c"], *d["k"]), stride=d["s"],
                 padding=d["p"], dilation=d["dl"])
    return [y.shape[1:]]


def _grouped_oracle(ex):
    d = ex.data
    conv = torch.nn.Conv2d(d["c"], d["o"], d["k"], padding=d["k"] // 2, groups=d["g"])
    return [_n_params(conv), _flops(conv, (d["c"], d["h"], d["h"]))]


def _cost_3d_oracle(ex):
    d = ex.data
    conv2 = torch.nn.Conv2d(d["c"], d["o"], d["k"], padding="same")
    conv3 = torch.nn.Conv3d(d["c"], d["o"], d["k"], padding="same")
    return [_n_params(conv2), _n_params(conv3), d["d"] * _flops(conv2, (d["c"], d["h"], d["h"])),
            _flops(conv3, (d["c"], d["d"], d["h"], d["h"]))]


BEYOND_2D = {"output_size_3d": _3d_oracle, "grouped": _grouped_oracle, "separable": _separable_oracle,
             "causal_stack": _causal_oracle, "cost_3d": _cost_3d_oracle}


def typings(part):
    """The right answer typed in each allowed way."""
    a = np.ravel(np.asarray(part.answer, dtype=float))
    nums = [f"{int(v)}" if float(v).is_integer() else f"{v:.2f}" for v in a]
    if len(nums) == 1:
        out = [nums[0], f" {nums[0]} ", f"{float(a[0]):.4f}"]
        return out + ([f"{int(a[0]):,}", f"{a[0]:.6e}"] if abs(a[0]) >= 1000 else [])
    out = [", ".join(nums), " ".join(nums), "(" + ",".join(nums) + ")", "[" + "; ".join(nums) + "]"]
    if part.shape == "ints" and len(nums) == 2:
        out.append(f"{nums[0]}×{nums[1]}")
        out.append(f"{nums[0]}x{nums[1]}")
    return out


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("level", LEVELS)
@per_seed(SEEDS)
def test_every_kind_is_right_checks_forgivingly_and_explains(kind, level, seed):
    ex = make_exercise(kind, seed, level)
    want = oracle(ex)
    assert len(want) == len(ex.parts)
    for part, w in zip(ex.parts, want):
        np.testing.assert_allclose(np.ravel(np.asarray(part.answer, float)), np.ravel(np.asarray(w, float)),
                                   atol=1e-9, err_msg=f"{kind} level {level} seed {seed} {part.prompt}")
    # every allowed format of the right answer is accepted
    for i, part in enumerate(ex.parts):
        for typed in typings(part):
            answers = [format_answer(p) for p in ex.parts]
            answers[i] = typed
            assert ex.check(answers).correct, (kind, level, seed, part.prompt, typed)
    # wrong answers are rejected: each part off by one in one place
    for i, part in enumerate(ex.parts):
        wrong = np.ravel(np.asarray(part.answer, float)).copy()
        wrong[-1] += 1
        answers = [format_answer(p) for p in ex.parts]
        answers[i] = ", ".join(f"{v:.10g}" for v in wrong)
        result = ex.check(answers)
        assert not result.correct and result.readable and not result.parts[i].correct
    # the worked solution ends with the right numbers
    last = ex.solution[-1]
    assert last.startswith("Answer:")
    shown = np.array(parse_numbers(last.replace(",", " ")))
    for part in ex.parts:
        for v in np.ravel(np.asarray(part.answer, float)):
            assert np.isclose(shown, v, atol=6e-4).any(), (kind, seed, last, v)
    assert ex.hint and ex.question


def test_unreadable_answers_say_what_to_type():
    ex = make_exercise("tf_same", 1, 2)
    result = ex.check(["", "two", "1, 2"])
    assert not result.readable and not result.correct
    assert "no number found" in result.parts[0].message and "expected 1 number(s), you typed 2" in result.parts[2].message
    ex = make_exercise("pooling", 0, 1)
    msg = ex.check(["1 2 3"]).parts[0].message
    assert "expected 4 number(s)" in msg and "0 0; 0 0" in msg
    with pytest.raises(ConvlabError, match="divides by zero"):
        parse_numbers("1/0")
    assert parse_numbers("7/3")[0] == pytest.approx(7 / 3)
    assert make_exercise("output_size", 0).check(["2.0"]).parts[0].readable


def test_seed_002_examples_are_in_the_generators():
    found = [make_exercise("params", s, 1) for s in range(30)]
    seeded = [e for e in found if e.data == dict(c=3, h=32, f=6, k=5, s=1, p=0)]
    assert seeded and seeded[0].parts[0].answer == 456                  # 32×32×3, 6 filters of 5×5: 456
    quiz = [e for e in (make_exercise("tf_same", s, 3) for s in range(30)) if e.data == dict(n=13, k=6, s=5)]
    assert quiz and [p.answer for p in quiz[0].parts] == [3, 1, 2]      # seed 001's quiz


def test_same_seed_same_set_and_links_round_trip():
    a = make_set(["params", "pooling", "im2col"], 7, 2, seed=99)
    b = make_set(["params", "pooling", "im2col"], 7, 2, seed=99)
    assert [e.question for e in a] == [e.question for e in b]
    assert [format_answer(p) for e in a for p in e.parts] == [format_answer(p) for e in b for p in e.parts]
    assert [e.question for e in make_set(["params"], 3, 2, seed=100)] != [e.question for e in a[:3]]
    params = set_params(["params", "pooling", "im2col"], 7, 2, 99)
    assert parse_set_params(params) == (["params", "pooling", "im2col"], 7, 2, 99)
    for bad in ({"kinds": "nope", "count": "3"}, {"kinds": "params", "count": "x"}, {"kinds": "params", "count": "999"},
                {"kinds": "", "count": "3"}, {"kinds": "params", "level": "7"}):
        with pytest.raises(ConvlabError):
            parse_set_params(bad)


def test_worksheets_have_questions_then_the_key():
    exs = make_set(list(KINDS), len(KINDS), 2, seed=5)
    md = worksheet_markdown(exs, "Week 3")
    assert md.startswith("# Week 3") and md.index("# Answer key") > md.index("## 11.")
    for e in exs:
        for p in e.parts:
            assert f"**{format_answer(p)}**" in md
    page = worksheet_html(exs, "<Week 3>")
    assert "&lt;Week 3&gt;" in page and "<script" not in page and "break-before:page" in page
    assert page.count("<section>") == 2 * len(exs) and "<table class=\"grid\">" in page


def test_every_name_of_the_old_module_is_still_importable():
    old = ["KINDS", "LEVELS", "Part", "PartResult", "Result", "Exercise", "make_exercise", "make_set", "parse_numbers",
           "parse_kinds", "format_answer", "worksheet_markdown", "worksheet_html", "set_params", "parse_set_params"]
    assert set(old) <= set(convlab.classroom.exercises.__all__)
    assert all(callable(getattr(convlab.classroom.exercises, name)) or name in ("KINDS", "LEVELS") for name in old)


@pytest.mark.parametrize("kind", list(KINDS))
def test_generators_return_the_exercise_of_their_draw(kind):
    ex = KINDS[kind][1](Draw(kind, 7, 2, np.random.default_rng(0)))
    assert isinstance(ex, Exercise) and (ex.kind, ex.seed, ex.level) == (kind, 7, 2)
    assert isinstance(ex.parts, tuple) and isinstance(ex.solution, tuple) and isinstance(ex.figures, tuple)
