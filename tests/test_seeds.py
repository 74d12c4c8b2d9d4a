"""The worked examples of the lecture notes in shared/seeds, as named tests."""

import numpy as np
import torch.nn.functional as F

import convlab
import convlab.convolution.invariance
import oracle

SEED000_X = [[1, 2, 4, 3], [5, 6, 8, 7], [9, 10, 12, 11], [13, 14, 16, 2]]
SEED003_X = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]


def test_seed000_4x4_input_with_2x2_kernel():
    got = convlab.conv2d(SEED000_X, [[1, -2], [-3, 4]])
    np.testing.assert_array_equal(got, [[6, 8, 2], [6, 8, 2], [6, 8, -50]])
    np.testing.assert_array_equal(got, F.conv2d(oracle.T(SEED000_X)[None, None], oracle.T([[1, -2], [-3, 4]])[None, None])[0, 0])



def test_seed000_captions_subtract_the_negative_kernel_values():
    steps = convlab.conv2d_steps(SEED000_X, [[1, -2], [-3, 4]])
    assert steps[0].expression() == "1×1 − 2×2 − 3×5 + 4×6 = 6"              # was "1×1 + -2×2 + -3×5 + 4×6 = 6"
    assert steps[-1].expression() == "1×12 − 2×11 − 3×16 + 4×2 = −50"

def test_seed001_1d_valid_and_same():
    x, w = [1, 0, 2, 2, 3, 1], [3, 2, 2]
    np.testing.assert_array_equal(convlab.conv1d(x, w, padding="valid"), [7, 8, 16, 14])
    np.testing.assert_array_equal(convlab.conv1d(x, w, padding="same"), [2, 7, 8, 16, 14, 11])
    captions = [s.expression() for s in convlab.conv1d_steps(x, w)]
    assert captions == ["3×1 + 2×0 + 2×2 = 7", "3×0 + 2×2 + 2×2 = 8", "3×2 + 2×2 + 2×3 = 16", "3×2 + 2×3 + 2×1 = 14"]


def test_seed001_quiz_n13_k6_s5():
    valid = convlab.explain_output_size(13, 6, stride=5, padding="valid")
    assert valid.dropped == 2 and valid.uncovered == (11, 12)       # inputs 12 and 13, counting from 1
    same = convlab.explain_output_size(13, 6, stride=5, padding="same")
    assert same.padding == (1, 2) and same.output == 3
    assert "max(5·(3 − 1) + 6 − 13, 0) = 3" in "\n".join(same.derivation)


def test_seed001_two_channel_im2col():
    fmap0 = [[1, 2, 1, 2, 3, 4], [2, 2, 3, 1, 2, 0], [1, 1, 2, 1, 0, 1], [2, 1, 2, 1, 1, 3]]
    fmap1 = [[0, 2, 3, 2, 0, 1], [1, 0, 1, 1, 2, 0], [2, 0, 1, 1, 1, 1], [1, 1, 2, 1, 1, 2]]
    printed = [[1, 1, 3, 1, 2, 0], [2, 2, 4, 1, 1, 1], [2, 3, 2, 2, 2, 1], [2, 1, 0, 1, 1, 3],
               [0, 3, 0, 2, 1, 1], [2, 2, 1, 0, 1, 1], [1, 1, 2, 1, 2, 1], [0, 1, 0, 1, 1, 2]]
    got = convlab.im2col([fmap0, fmap1], 2, stride=2)        # c_i·k_h·k_w = 2·2·2 rows, o_h·o_w = 2·3 columns
    np.testing.assert_array_equal(got, printed)


def test_seed002_max_pool():
    np.testing.assert_array_equal(convlab.pool2d([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2), [[6, 8], [3, 4]])


def test_seed002_32x32x3_with_six_5x5_filters():
    stats = convlab.conv_layer_stats((3, 32, 32), 6, 5)
    assert stats.output_shape == (6, 28, 28) and stats.params == 456
    y = convlab.conv2d(np.random.default_rng(0).normal(size=(3, 32, 32)), np.ones((6, 3, 5, 5)))
    assert y.shape == (6, 28, 28)


def test_seed002_n7_f3_stride3_does_not_tile():
    e = convlab.explain_output_size(7, 3, stride=3)
    assert e.formula.endswith("= 2.33") and not e.tiles and e.output == 2
    assert [convlab.output_size(7, 3, s) for s in (1, 2)] == [5, 3]
    assert convlab.output_size(7, 3, 1, padding=1) == 7      # "input 7x7, 3x3 filter, stride 1, pad 1"


def test_seed002_volumes_shrink():
    sizes = [32]
    for _ in range(3):
        sizes.append(convlab.output_size(sizes[-1], 5))
    assert sizes == [32, 28, 24, 20]


def test_seed003_5x5_with_x_kernel():
    np.testing.assert_array_equal(convlab.conv2d(SEED003_X, [[1, 0, 1], [0, 1, 0], [1, 0, 1]]), [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_seed003_4x9_matrix():
    k1, k2, k3, k4 = 2.0, 3.0, 5.0, 7.0      # distinct primes so every entry is identifiable
    want = [[k1, k2, 0, k3, k4, 0, 0, 0, 0],
            [0, k1, k2, 0, k3, k4, 0, 0, 0],
            [0, 0, 0, k1, k2, 0, k3, k4, 0],
            [0, 0, 0, 0, k1, k2, 0, k3, k4]]
    m = convlab.conv_matrix((3, 3), [[k1, k2], [k3, k4]])
    np.testing.assert_array_equal(m, want)
    x = np.arange(1.0, 10.0)
    np.testing.assert_array_equal(m @ x, convlab.conv2d(x.reshape(3, 3), [[k1, k2], [k3, k4]]).ravel())


def test_seed001_average_pooling_folds_into_the_convolution():
    """Seed 001's question: conv with w then 2-wide average pooling (stride 2) = one conv with w* = (w ⊛ box) stride 2."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=12), rng.normal(size=3)
    pooled = convlab.pool1d(convlab.conv1d(x, w), 2, mode="avg")
    w_star = convlab.conv1d(np.pad(w, 1), [0.5, 0.5])            # full correlation of w with the box [½, ½]
    np.testing.assert_allclose(convlab.conv1d(x, w_star, stride=2)[: len(pooled)], pooled, atol=1e-12)
    np.testing.assert_allclose(pooled, F.avg_pool1d(F.conv1d(oracle.T(x)[None, None], oracle.T(w)[None, None]), 2)[0, 0].numpy())


def _fold_case(rng, _i):
    ph, pw = (int(v) for v in rng.integers(1, 4, size=2))
    w = rng.normal(size=tuple(int(v) for v in rng.integers(1, 4, size=2)))
    return ph, pw, w, rng.normal(size=(int(rng.integers(8, 14)), int(rng.integers(8, 14))))


FOLD_CASES = oracle.drawn(30, 1, _fold_case)


@oracle.each_seed(range(len(FOLD_CASES)))
def test_seed001_fold_avg_pool_into_the_kernel_2d_matches_torch(seed):
    ph, pw, w, x = FOLD_CASES[seed]
    w_star = convlab.convolution.invariance.fold_avg_pool(w, (ph, pw))
    want = F.avg_pool2d(F.conv2d(oracle.T(x)[None, None], oracle.T(w)[None, None]), (ph, pw))[0, 0].numpy()
    got = convlab.conv2d(x, w_star, stride=(ph, pw))[: want.shape[0], : want.shape[1]]
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_seed000_pooling_is_almost_invariant_and_convolution_equivariant():
    rng = np.random.default_rng(2)
    x = np.zeros((16, 16))
    x[5:9, 6:8] = rng.random((4, 2)) + 1
    c = convlab.convolution.invariance.compare_shift(x, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], pool=4, dy=0, dx=1)
    assert c.equivariant
    want = F.conv2d(F.pad(oracle.T(convlab.convolution.invariance.shift(x, 0, 1))[None, None], (1, 1, 1, 1)),
                    oracle.T([[1, 0, -1], [2, 0, -2], [1, 0, -1]])[None, None])[0, 0].numpy()
    np.testing.assert_allclose(c.conv_shifted, want, atol=1e-12)
    np.testing.assert_allclose(c.pooled_shifted, F.max_pool2d(oracle.T(want)[None, None], 4)[0, 0].numpy())
    assert c.pooled_unchanged >= 0.75
