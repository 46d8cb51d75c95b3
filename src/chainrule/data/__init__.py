"""Datasets, file readers and preprocessing for chainrule.

``load_dataset(name)`` gives a :class:`Dataset` with raw features split into a
training and a test part; a :class:`Preprocessor` fitted on the training part
scales both. Shapes: a feature matrix is ``(m, n)``, one sample per row.
"""

from chainrule.data.csv_reader import load_csv, read_csv_features, read_csv_labeled
from chainrule.data.dataset import Dataset, DatasetInfo
from chainrule.data.idx import load_idx_pair, read_idx
from chainrule.data.image_sets import find_fashion_mnist
from chainrule.data.preprocessing import Preprocessor
from chainrule.data.registry import list_datasets, load_dataset

__all__ = [
    "Dataset",
    "DatasetInfo",
    "Preprocessor",
    "find_fashion_mnist",
    "list_datasets",
    "load_csv",
    "load_dataset",
    "load_idx_pair",
    "read_csv_features",
    "read_csv_labeled",
    "read_idx",
]
