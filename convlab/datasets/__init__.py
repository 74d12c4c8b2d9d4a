"""The bundled data sets, nothing downloaded: scikit-learn's digits, drawn shapes, scikit-image's faces, DNA with a
planted motif (convlab.sequences.dna), and the sample photos the pages use (convlab.datasets.photos).

>>> from convlab.datasets import load_dataset
>>> load_dataset("digits").x_train.shape
(1438, 1, 8, 8)
"""

from convlab.datasets.base import DATASET_LABELS, DATASETS, Dataset, dataset_from_parts, normalise, split_dataset
from convlab.datasets.digits import load_digits
from convlab.datasets.drawings import digit_bitmap, drawing_to_image
from convlab.datasets.registry import load_dataset
from convlab.datasets.shapes import SHAPE_CLASSES, make_shapes

__all__ = ["Dataset", "DATASETS", "DATASET_LABELS", "SHAPE_CLASSES", "dataset_from_parts", "digit_bitmap",
           "drawing_to_image", "load_dataset", "load_digits", "make_shapes", "normalise", "split_dataset"]
