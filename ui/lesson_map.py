"""The lesson map: what ConvLab teaches, in the order of the lecture notes (shared/seeds).

Pure data, so the home page, the README and a notebook can all list the same map.
`page` is the url path of the built lesson (see ui/registry.py); None means it is planned.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Lesson", "LESSONS", "GROUPS"]

GROUPS = ("Convolution", "Sequences", "Images", "Training", "Deep networks", "Classroom")


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
    Lesson("Convolution", "Grouped, depthwise and 1×1", "which filter sees which channel; depthwise-separable vs "
           "standard (MobileNet): same shape, a fraction of the cost; 1×1 as a per-pixel linear map", ("001", "002"),
           "variants"),
    Lesson("Convolution", "3D convolution", "a kernel that also slides through depth: CT-like volumes and video "
           "clips, slice by slice with numbers; what the third axis costs", ("001", "003", "004"), "conv3d"),
    Lesson("Sequences", "DNA motifs: a 1D CNN", "one-hot DNA, a small 1D CNN trained live; its filters as sequence "
           "logos, where they fire, and max pooling as \"is the motif anywhere?\"", ("001", "003"), "dna"),
    Lesson("Sequences", "Sound: waveform and spectrogram", "tones, chirps and clicks: 1D convolution on the "
           "waveform next to 2D convolution on its spectrogram", ("003", "004"), "audio"),
    Lesson("Sequences", "Causal and dilated convolution", "output t sees only the past; dilated stacks (WaveNet) "
           "and their receptive field, drawn and computed", ("001", "003"), "causal"),
    Lesson("Images", "Feature maps", "hand-made, custom, random, k-means and trained kernels on your photos; "
           "activations; shifting",
           ("001", "003", "004"), "features"),
    Lesson("Images", "Network explorer", "a photo or your camera through every layer of the faces, shapes, digits "
           "or your own model at once; click any unit to step through its computation with the real numbers, "
           "then the formula and the softmax", ("000", "001", "003"), "layers"),
    Lesson("Images", "Explanations: occlusion, Grad-CAM, saliency", "three maps of where the model looks, side by "
           "side on a test image or your photo, and how far they agree; Grad-CAM and saliency with the numbers; the "
           "sanity check that randomises the weights layer by layer; on the faces model, the eyes cost the face more "
           "than the background", ("003",), "occlusion"),
    Lesson("Images", "Top patches", "what excites each unit of a layer: its nine strongest dataset patches, each cut to "
           "the unit's receptive field (Zeiler & Fergus), for the digits, shapes, faces or your own model",
           ("001",), "patches"),
    Lesson("Images", "Find the face", "the faces classifier slid over a photo or your camera at four scales: a P(face) "
           "heat map per scale and the best box; why sliding a classifier is convolving with it, with the numbers",
           ("001",), "find-faces"),
    Lesson("Images", "Feature visualisation", "gradient ascent on the input until a class or channel of the digits, "
           "shapes or faces model fires; jitter, blur and decay; the objective curve and the image as it forms",
           ("001",), "featvis"),
    Lesson("Images", "Style transfer", "Gram matrices with numbers, content and style losses checked by autograd; "
           "a photo in the style of another by gradient descent on the image, on fixed random conv features",
           ("003",), "style"),
    Lesson("Training", "Training lab", "build a small CNN, train it live on digits, shapes, faces or DNA, watch "
           "filters, curves and gradients", ("000", "001", "003"), "training"),
    Lesson("Deep networks", "Batch normalization", "a mini-batch through its mean, variance, x̂ and γx̂ + β per channel; "
           "the backward pass; training vs eval mode; why the batch size matters", ("003",), "batchnorm"),
    Lesson("Deep networks", "Dropout", "a fresh mask per sample, scaling by 1/(1 − p); an ensemble of thinned "
           "networks; overfitting a small split with and without it", ("003",), "dropout"),
    Lesson("Deep networks", "Activations and vanishing gradients", "sigmoid, tanh, ReLU, Leaky ReLU, ELU and maxout "
           "with their slopes; σ′ ≤ 0.25; a deep net's gradient layer by layer and the skip connections' highway",
           ("000", "003"), "activations"),
    Lesson("Deep networks", "Initialisation", "equal weights never break symmetry; too large kills ReLUs and "
           "explodes; He and Xavier keep the variance per layer", ("003",), "init"),
    Lesson("Deep networks", "Optimisers on a loss surface", "SGD, momentum, Nesterov, Adagrad, RMSprop and Adam on a "
           "ravine, Rosenbrock and a saddle, each step's equations with numbers; then on the digits CNN",
           ("003",), "optimizers"),
    Lesson("Deep networks", "MLP vs CNN", "the same data and budget: parameters, accuracy, and accuracy on shifted "
           "test images", ("000", "002"), "mlp-vs-cnn"),
    Lesson("Classroom", "Exercises", "graded questions from the notes' quizzes, with hints and worked solutions",
           ("001", "002", "003"), "exercises"),
    Lesson("Classroom", "Exercise sets for teachers", "one link gives the class the same set; printable "
           "worksheet with the answer key. Every page also has a student link and GIF / PyTorch exports",
           ("001", "002"), "teacher"),
    Lesson("Classroom", "Class dashboard", "a live class: students join with a code, every answer is stored; the "
           "share right per question, the common wrong answers, what to discuss next, CSV", ("001", "002"), "dashboard"),
)
