"""The one error type convlab raises for bad input."""

from __future__ import annotations


class ConvlabError(ValueError):
    """Bad input to a convlab function.

    The message names the parameter and the value and says what to change,
    so a page can show it to a student as it is.

    >>> from convlab import output_size
    >>> output_size(3, 5)
    Traceback (most recent call last):
    ...
    convlab.errors.ConvlabError: kernel 5 is larger than the padded input 3: use a smaller kernel or more padding
    """
