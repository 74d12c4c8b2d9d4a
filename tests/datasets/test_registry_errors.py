"""load_dataset refuses a seed that is not a whole number ≥ 0 with a ConvlabError that says so (text, 1.5 and −1
escaped as numpy's TypeError or ValueError from every data set)."""

import pytest

import convlab
from convlab.datasets.registry import load_dataset


@pytest.mark.parametrize("name", ["digits", "shapes", "dna", "faces"])
@pytest.mark.parametrize("seed", ["x", 1.5, -1, None])
def test_a_bad_seed_is_a_convlab_error(name, seed):
    with pytest.raises(convlab.ConvlabError, match="seed"):
        load_dataset(name, seed=seed)
