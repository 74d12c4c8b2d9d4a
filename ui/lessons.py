"""The lesson map: what ConvLab teaches, in the order of the lecture notes (shared/seeds).

Pure data, so the home page, the README and a notebook can all list the same map.
`page` is the url path of the built lesson (see ui/registry.py); None means it is planned.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Lesson", "LESSONS", "GROUPS"]

GROUPS = ("Convolution", "Images", "Training", "Classroom")


@dataclass(frozen=True)
class Lesson:
    group: str
    title: str
    summary: str
    seeds: tuple[str, ...]
    page: str | None = None

    @property
    def available(self) -> bool:
        return self.page is not None


LESSONS: tuple[Lesson, ...] = (
    Lesson("Convolution", "1D convolution", "slide a kernel along a signal, every product written out; "
           "valid, same and full padding; dropped inputs", ("001",), "conv1d"),
    Lesson("Convolution", "2D convolution", "grids, several channels and filters, bias; click an output "
           "to see where it came from; true convolution vs cross-correlation", ("000", "001", "002", "003", "004"), "conv2d"),
    Lesson("Convolution", "Padding, stride and dilation", "the output-size formula live; TensorFlow's "
           "\"same\"; configurations that do not tile; receptive fields of stacks", ("001", "002"), "padding"),
    Lesson("Convolution", "Pooling", "max and average pooling, where the max sits, approximate "
           "translation invariance", ("000", "001", "002", "003"), "pooling"),
    Lesson("Convolution", "Convolution as a matrix", "the Toeplitz matrix and im2col, linked to the window; "
           "dense vs sparse sizes", ("001", "003", "004"), "matrix"),
    Lesson("Convolution", "Backward pass", "dL/dW = dL/dY·X̂ᵀ and dL/dX through col2im, written out and "
           "checked against autograd; pooling's gradient routing", ("001", "003"), "backward"),
    Lesson("Convolution", "Why convolution", "sparse, shared, equivariant; tiled and unshared layers; "
           "transposed and dilated convolution with numbers", ("000", "001", "003", "004"), "why"),
    Lesson("Images", "Feature maps", "hand-made, custom, random, k-means and trained kernels on your photos; "
           "activations; shifting",
           ("001", "003", "004"), "features"),
    Lesson("Images", "Network explorer", "a photo or your camera through every layer of the faces, shapes, digits "
           "or your own model at once; click any unit to step through its computation with the real numbers, "
           "then the formula and the softmax", ("000", "001", "003"), "layers"),
    Lesson("Images", "Occlusion", "slide a grey square over a test image or your photo and watch the class "
           "probability; on the faces model, the eyes cost the face more than the background",
           ("003",), "occlusion"),
    Lesson("Training", "Training lab", "build a small CNN, train it live on digits or shapes, watch "
           "filters, curves and gradients", ("000", "001", "003"), "training"),
    Lesson("Classroom", "Exercises", "graded questions from the notes' quizzes, with hints and worked solutions",
           ("001", "002", "003"), "exercises"),
    Lesson("Classroom", "Exercise sets for teachers", "one link gives the class the same set; printable "
           "worksheet with the answer key. Every page also has a student link and GIF / PyTorch exports",
           ("001", "002"), "teacher"),
)
