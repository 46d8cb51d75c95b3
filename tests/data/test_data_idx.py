"""IDX reading: round trips through files the tests write, and each corrupt case."""

import gzip
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.data import find_fashion_mnist, image_sets, load_dataset, load_idx_pair, read_idx
from chainrule.errors import DataError

TYPE_CODES = {">u1": 0x08, ">i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def idx_bytes(array, dtype=">u1"):
    """Encode ``array`` as IDX by hand, independently of the reader."""
    array = np.asarray(array, dtype=dtype)
    header = bytes([0, 0, TYPE_CODES[dtype], array.ndim])
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    return header + dims + array.tobytes()


def write(path, content, compress=False):
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


@settings(max_examples=25, deadline=None)
@given(dtype=st.sampled_from(sorted(TYPE_CODES)),
       shape=st.lists(st.integers(0, 5), min_size=1, max_size=3),
       compress=st.booleans(), seed=st.integers(0, 2**16))
def test_round_trip_any_type_and_shape(tmp_path_factory, dtype, shape, compress, seed):
    rng = np.random.default_rng(seed)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / "file"
    write(path, idx_bytes(array, dtype), compress)

    result = read_idx(path)

    assert result.shape == tuple(shape)
    assert result.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(result, array)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    plain = write(tmp_path / "looks-compressed.gz", idx_bytes(images))
    packed = write(tmp_path / "looks-plain", idx_bytes(images), compress=True)

    np.testing.assert_array_equal(read_idx(plain), images)
    np.testing.assert_array_equal(read_idx(packed), images)


def test_pair_flattens_images_to_float_rows(tmp_path):
    images = np.arange(3 * 2 * 2).reshape(3, 2, 2)
    write(tmp_path / "img", idx_bytes(images), compress=True)
    write(tmp_path / "lab", idx_bytes([7, 0, 255]))

    X, y = load_idx_pair(tmp_path / "img", tmp_path / "lab")

    assert X.dtype == np.float64 and X.shape == (3, 4)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(X[1], [4, 5, 6, 7])
    np.testing.assert_array_equal(y, [7, 0, 255])


@pytest.mark.parametrize("content, words", [
    (b"\x00\x00", ["truncated", "4-byte magic"]),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", ["truncated", "3 dimensions"]),
    (b"\x12\x34\x08\x01\x00\x00\x00\x01\x05", ["not an IDX file", "12 34 08 01"]),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", ["not an IDX file", "00 00 07 01"]),
])
def test_bad_header(tmp_path, content, words):
    with pytest.raises(DataError) as err:
        read_idx(write(tmp_path / "bad", content))
    for word in words:
        assert word in str(err.value)


def test_truncated_data(tmp_path):
    content = idx_bytes(np.zeros((4, 5, 5)))[:-7]

    with pytest.raises(DataError, match=r"truncated.*\(4, 5, 5\).*100 data bytes, found 93"):
        read_idx(write(tmp_path / "short", content))


def test_dimension_product_does_not_match_length(tmp_path):
    content = idx_bytes(np.zeros((2, 3))) + b"\x00\x00"

    with pytest.raises(DataError, match=r"left over.*\(2, 3\).*6 data bytes, found 8"):
        read_idx(write(tmp_path / "long", content))


def test_corrupt_gzip(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(1000) % 256))

    for name, content in [("cut", packed[:len(packed) // 2]),
                          ("garbled", packed[:10] + b"\xff" * 40 + packed[50:])]:
        with pytest.raises(DataError, match="gzip.*corrupt"):
            read_idx(write(tmp_path / name, content))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="Cannot read IDX file"):
        read_idx(tmp_path / "nowhere")


def test_counts_differ(tmp_path):
    write(tmp_path / "img", idx_bytes(np.zeros((3, 2, 2))))
    write(tmp_path / "lab", idx_bytes([1, 2]))

    with pytest.raises(DataError, match=r"counts differ.*3 images.*2 labels"):
        load_idx_pair(tmp_path / "img", tmp_path / "lab")


def test_labels_must_be_integers(tmp_path):
    write(tmp_path / "img", idx_bytes(np.zeros((2, 2, 2))))
    write(tmp_path / "lab", idx_bytes([0.5, 1.5], ">f4"))

    with pytest.raises(DataError, match="1-D array of integers"):
        load_idx_pair(tmp_path / "img", tmp_path / "lab")


def make_image_dir(directory, n_train=6, n_test=4, dotted=False, compress=True,
                   top_label=9):
    """Write the four standard files with tiny 3x3 images."""
    sep = "." if dotted else "-"
    suffix = ".gz" if compress else ""
    directory.mkdir(parents=True, exist_ok=True)
    for stem, m in [("train", n_train), ("t10k", n_test)]:
        images = np.arange(m * 9).reshape(m, 3, 3) % 256
        labels = np.arange(m) % (top_label + 1)
        write(directory / f"{stem}-images{sep}idx3-ubyte{suffix}", idx_bytes(images),
              compress)
        write(directory / f"{stem}-labels{sep}idx1-ubyte{suffix}", idx_bytes(labels),
              compress)
    return directory


@pytest.mark.parametrize("dotted, compress", [(False, True), (True, False)])
def test_mnist_from_a_directory(tmp_path, dotted, compress):
    make_image_dir(tmp_path, dotted=dotted, compress=compress)

    ds = load_dataset("mnist", data_dir=tmp_path)

    assert ds.X_train.shape == (6, 9) and ds.X_test.shape == (4, 9)
    assert ds.class_names == [str(d) for d in range(10)]
    assert ds.scaling == "divide255"
    assert load_dataset("mnist", data_dir=tmp_path, n_samples=2).X_train.shape == (2, 9)


def test_mnist_needs_a_directory():
    with pytest.raises(DataError, match="--data DIR"):
        load_dataset("mnist")


def test_directory_lacking_a_file(tmp_path):
    make_image_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()

    with pytest.raises(DataError, match="lacks t10k-labels-idx1-ubyte.gz"):
        load_dataset("mnist", data_dir=tmp_path)


def test_labels_out_of_range(tmp_path):
    make_image_dir(tmp_path, n_train=12, top_label=11)

    with pytest.raises(DataError, match=r"labels 0\.\.11; expected 0\.\.9"):
        load_dataset("mnist", data_dir=tmp_path)


def test_fashion_mnist_default_location(tmp_path, monkeypatch):
    make_image_dir(tmp_path / "fashion")
    monkeypatch.setattr(image_sets, "FASHION_MNIST_DIRS", [tmp_path / "fashion"])

    assert find_fashion_mnist() == tmp_path / "fashion"
    ds = load_dataset("fashion-mnist")
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"


def test_fashion_mnist_absent_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(image_sets, "FASHION_MNIST_DIRS", [tmp_path / "absent"])

    with pytest.raises(DataError) as err:
        find_fashion_mnist()
    message = str(err.value)
    assert "apt install dataset-fashion-mnist" in message
    assert "--data DIR" in message and "absent does not exist" in message

    with pytest.raises(DataError, match="lacks train-images-idx3-ubyte.gz"):
        find_fashion_mnist(tmp_path)
