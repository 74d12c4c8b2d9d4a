"""Whatever a student types, convlab either answers or raises ConvlabError: never IndexError,
RuntimeError, TypeError or a numpy warning turned error."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convlab

# huge whole numbers (a float 3e9 is one) as sizes: a padding of 10⁹ once asked numpy for 44 GiB, a kernel of 3e9 looped
junk_scalar = st.one_of(st.integers(-3, 6), st.floats(allow_nan=True, allow_infinity=True, width=32),
                        st.sampled_from([10**9, 3.0e9, 2.0**40]), st.text(max_size=3), st.none(), st.booleans())
junk_param = st.one_of(junk_scalar, st.tuples(junk_scalar, junk_scalar), st.sampled_from(["same", "valid", "full", "circular"]),
                       st.tuples(st.tuples(st.integers(-1, 3), st.integers(-1, 3)), st.integers(0, 2)))
numbers = st.one_of(st.floats(-5, 5, allow_nan=False, width=32), st.floats(allow_nan=False, allow_infinity=False))


def nested(max_depth):
    """Arrays of random shape, sometimes ragged or with a bad value."""
    leaf = st.one_of(numbers, numbers, numbers, junk_scalar)
    return st.recursive(leaf, lambda inner: st.lists(inner, min_size=0, max_size=4), max_leaves=40)


def _call(fn, *args, **kw):
    try:
        out = fn(*args, **kw)
    except convlab.ConvlabError as err:
        assert str(err), "an error needs a message"
        return None
    return out


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=nested(3), w=nested(4), stride=junk_param, padding=junk_param, dilation=junk_param)
def test_conv2d_and_friends_only_raise_convlab_errors(x, w, stride, padding, dilation):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = _call(convlab.conv2d, x, w, stride=stride, padding=padding, dilation=dilation)
        if y is not None:
            assert np.all(np.isfinite(y))
        _call(convlab.conv1d, x, w, stride=stride, padding=padding, dilation=dilation)
        _call(convlab.conv2d_steps, x, w, stride=stride, padding=padding, dilation=dilation)
        _call(convlab.im2col, x, w if isinstance(w, int) else 2, stride, padding, dilation)
        _call(convlab.conv_transpose2d, x, w, stride=stride, padding=padding, dilation=dilation)
        _call(convlab.pool2d, x, stride, padding=padding)


@settings(max_examples=300, deadline=None)
@given(n=junk_scalar, k=junk_scalar, s=junk_scalar, p=junk_param, d=junk_scalar)
def test_arithmetic_only_raises_convlab_errors(n, k, s, p, d):
    e = _call(convlab.explain_output_size, n, k, s, p, d)
    if e is not None:
        assert e.output >= 1 and math.floor(e.exact) == e.output
    _call(convlab.receptive_field, [k, (k, s), (k, s, d)])
    _call(convlab.conv_layer_stats, (3, n, n), 4, k, s, p, d)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=nested(4), w=nested(5), stride=junk_param, padding=st.one_of(junk_param, st.just("causal")),
       dilation=junk_param, groups=junk_scalar)
def test_conv3d_groups_and_causal_only_raise_convlab_errors(x, w, stride, padding, dilation, groups):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = _call(convlab.conv3d, x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
        if y is not None:
            assert np.all(np.isfinite(y))
        _call(convlab.conv3d_steps, x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
        _call(convlab.conv2d_steps, x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
        _call(convlab.conv1d, x, w, padding="causal", stride=stride, dilation=dilation, groups=groups)
        _call(convlab.conv_layer_stats, (4, 6, 6, 6), 4, 2, stride, padding, dilation, groups=groups)
        _call(convlab.causal_stack, stride, [dilation], groups)
        _call(convlab.spectrogram, x, stride, dilation)
        _call(convlab.pointwise_conv, x, w)
