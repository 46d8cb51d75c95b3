r"""The network and the five steps of backpropagation.

Notation follows the derivation. Layers are counted :math:`l = 1 \dots L`; layer 0 is
the input, :math:`a^{(0)} = x`. Layer :math:`l` holds :math:`W^{(l)}`, shape
:math:`N^{(l)} \times N^{(l-1)}` with ``W[j, i]`` = :math:`w_{ij}^{(l)}`, and
:math:`b^{(l)}`. A batch of ``m`` samples is rows, so for a batch

1. samples: ``X`` of shape ``(m, N^(0))`` and targets ``Y`` of shape ``(m, N^(L))``;
2. feed forward: :math:`Z^{(l)} = A^{(l-1)} W^{(l)\top} + b^{(l)}`,
   :math:`A^{(l)} = \sigma(Z^{(l)})`;
3. output error: :math:`\Delta^{(L)} = \nabla_a C \odot \sigma'(Z^{(L)})`;
4. back-propagated error: :math:`\Delta^{(l)} = (\Delta^{(l+1)} W^{(l+1)}) \odot \sigma'(Z^{(l)})`;
5. gradients and update: :math:`\partial C/\partial W^{(l)} = \Delta^{(l)\top} A^{(l-1)}`,
   :math:`\partial C/\partial b^{(l)} = \sum_r \Delta^{(l)}_r`, then
   :math:`W \leftarrow W - \eta\, \partial C/\partial W`.

Python counts from 0, the derivation from 1: ``self.layers[l - 1]`` is layer
:math:`l`. The lists ``z``, ``a`` and ``delta`` below are indexed like the
derivation (entry 0 is the input, or unused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .activations import get_activation
from .initializers import initialize
from .layers import Dense
from .losses import Loss, get_loss
from .validation import check_features, check_sizes, check_targets

__all__ = ["ForwardPass", "Network", "split_parameters"]


@dataclass
class ForwardPass:
    """What step 2 keeps for the backward pass, indexed like the derivation.

    ``a[0]`` is the input batch ``(m, N^(0))``; for ``l = 1..L``, ``z[l]`` and ``a[l]``
    have shape ``(m, N^(l))``. ``z[0]`` is ``None``.
    """

    z: list
    a: list


class Network:
    r"""A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes : sequence of int
        Widths :math:`N^{(0)}, N^{(1)}, \dots, N^{(L)}`, input first, e.g. ``[784, 128, 10]``.
    activation : str or list
        :math:`\sigma` of the hidden layers: one name for all, or one per hidden layer.
        One of sigmoid, tanh, relu, leaky_relu, elu, softplus, identity, softmax.
    output_activation : str, optional
        :math:`\sigma` of layer :math:`L`. By default the one the loss pairs with:
        softmax for ``cross_entropy``, sigmoid for ``binary_cross_entropy``,
        identity for ``mse`` and ``sse``.
    loss : str
        ``"mse"`` (the derivation's), ``"sse"``, ``"cross_entropy"`` or
        ``"binary_cross_entropy"``.
    init : str
        ``"auto"``, ``"xavier"``/``"glorot"`` (uniform), ``"xavier_normal"``,
        ``"he"`` (normal), ``"he_uniform"``.
    seed : int, optional
        Seed of the initial weights; the same seed gives the same network.
    dtype : str
        ``"float32"`` (fast) or ``"float64"`` (exact checks). Everything, from the
        weights to the gradients, is computed in this dtype.

    Attributes
    ----------
    layers : list of Dense
        ``layers[l - 1]`` is layer :math:`l`, with ``W``, ``b`` and ``activation``.
    theta : array, shape (P,)
        Every parameter in one vector, ``W1ᵀ, b1, W2ᵀ, b2, ...`` flattened; each
        layer's ``W`` and ``b`` are views of it (``W`` a transposed one).

    Raises
    ------
    ValueError
        On an unknown name, a wrong number of activations, or a loss that cannot
        follow the output activation.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str | None = None,
        loss: str | Loss = "mse",
        init: str = "auto",
        seed: int | None = None,
        dtype: str = "float32",
    ):
        self.sizes = check_sizes(sizes)
        self.dtype = _check_dtype(dtype)
        self.loss_fn: Loss = get_loss(loss)
        self.init = init
        self.seed = seed

        n_hidden = len(self.sizes) - 2
        hidden = _hidden_activations(activation, n_hidden)
        output = get_activation(output_activation or self.loss_fn.default_output)
        self.loss_fn.check_output(output)

        # Every parameter lives in one vector, W1ᵀ, b1, W2ᵀ, b2, ...; each layer's W and
        # b are views of it. The derivation never needs this, but an optimizer then
        # updates the whole network in a handful of array operations. W is stored
        # transposed, (n_in, n_out) row by row, because the products of steps 2 and 5
        # run about 8% faster on that layout at batch 128 (benchmarks/README.md); W
        # itself is still the (n_out, n_in) matrix with W[j, i] = w_ij, read through a
        # transposed view.
        self.theta = np.empty(_count_parameters(self.sizes), dtype=self.dtype)
        views = split_parameters(self.theta, self.sizes)

        self._ones_cache: np.ndarray | None = None  # the row of ones of grad_b's sum

        rng = np.random.default_rng(seed)
        self.layers: list[Dense] = []
        for l, sigma in enumerate(hidden + [output], start=1):
            n_in, n_out = self.sizes[l - 1], self.sizes[l]
            W, b = views[l - 1]
            W[...], b[...] = initialize(init, n_out, n_in, rng, sigma.name)
            self.layers.append(Dense(W, b, sigma, self.dtype))

    # ----------------------------------------------------------------- the five steps

    def feed_forward(self, X: np.ndarray) -> ForwardPass:
        r"""Step 2, feed forward, keeping every :math:`z^{(l)}` and :math:`a^{(l)}`.

        :math:`z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}` and :math:`a^{(l)} = \sigma(z^{(l)})`.

        Parameters
        ----------
        X : array, shape (m, N^(0))
            A batch, one sample per row.

        Returns
        -------
        ForwardPass
            Every ``z[l]`` and ``a[l]``, which steps 3 and 4 need.
        """
        X = check_features(X, self.sizes[0], self.dtype)
        return self._feed_forward(X)

    def _feed_forward(self, X: np.ndarray) -> ForwardPass:
        z, a = [None], [X]
        for layer in self.layers:
            # z^(l) = W^(l) a^(l-1) + b^(l), for every sample (row) at once.
            z_l = a[-1] @ layer.W.T
            z_l += layer.b
            z.append(z_l)
            a.append(layer.activation.forward(z_l))
        return ForwardPass(z, a)

    def backward(self, fp: ForwardPass, Y: np.ndarray) -> list:
        r"""Steps 3 and 4: the error of every layer.

        :math:`\delta^{(l)} = \partial C / \partial z^{(l)}`, from the output layer back.

        Parameters
        ----------
        fp : ForwardPass
            The result of :meth:`feed_forward` on the batch.
        Y : array, shape (m, N^(L))
            Targets, already encoded (see :meth:`encode_targets`).

        Returns
        -------
        list
            ``delta[l]`` of shape ``(m, N^(l))`` for ``l = 1..L``; ``delta[0]`` is ``None``.
        """
        L = len(self.layers)
        z, a = fp.z, fp.a
        delta = [None] * (L + 1)

        # Step 3, the output error: delta^(L) = grad_a C ⊙ σ'(z^(L)).
        output = self.layers[L - 1]
        delta[L] = self.loss_fn.output_delta(z[L], a[L], Y, output.activation)

        # Step 4, back through the layers: delta^(l) = (W^(l+1))ᵀ delta^(l+1) ⊙ σ'(z^(l)).
        # With samples as rows, (W^(l+1))ᵀ delta^(l+1) is delta^(l+1) @ W^(l+1).
        for l in range(L - 1, 0, -1):
            W_next = self.layers[l].W  # layers[l] is layer l + 1
            sigma = self.layers[l - 1].activation
            delta[l] = sigma.backprop(z[l], a[l], delta[l + 1] @ W_next)
        return delta

    def parameter_gradients(self, fp: ForwardPass, delta: list,
                            out: np.ndarray | None = None) -> list:
        r"""Step 5, the gradients of every weight and bias.

        :math:`\partial C/\partial w_{kj}^{(l)} = \delta_j^{(l)} a_k^{(l-1)}`.

        Summed over the batch: ``grad_W = delta[l].T @ a[l-1]`` (shape of ``W``) and
        ``grad_b`` = the column sums of ``delta[l]``. The :math:`1/m` of the mean loss
        is already inside ``delta``.

        Parameters
        ----------
        out : array or list, optional
            Write the gradients into this flat vector laid out like :attr:`theta`
            (or into its :func:`split_parameters` views) instead of new arrays; the
            returned pairs are then views of it.

        Returns
        -------
        list of (grad_W, grad_b)
            One pair per layer, in order ``l = 1..L``.
        """
        if out is None:
            out = np.empty_like(self.theta)
        grads = split_parameters(out, self.sizes) if isinstance(out, np.ndarray) else out

        ones = self._ones(fp.a[0].shape[0])
        for l, (grad_W, grad_b) in enumerate(grads, start=1):
            # dC/dW^(l) = delta^(l)ᵀ a^(l-1): every sample's outer product, summed.
            # grad_W is a transposed view, like W, so the product is written as its
            # transpose, (dC/dW^(l))ᵀ = a^(l-1)ᵀ delta^(l), into the contiguous storage.
            np.matmul(fp.a[l - 1].T, delta[l], out=grad_W.T)
            # dC/db^(l) = Σ_r delta_r^(l), as a product with a row of ones (faster
            # than a column sum for these shapes).
            np.matmul(ones, delta[l], out=grad_b)
        return grads

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> list:
        """Steps 1-5 without the update: the gradient of the mean loss over ``(X, Y)``.

        Parameters
        ----------
        X : array, shape (m, N^(0))
        Y : array, shape (m,) labels or (m, N^(L))

        Returns
        -------
        list of (dW, db)
            ``dW`` shaped like ``layers[l].W``, ``db`` like ``layers[l].b``, in layer order.
        """
        X, Y = self._check_batch(X, Y)
        fp = self._feed_forward(X)
        delta = self.backward(fp, Y)
        return self.parameter_gradients(fp, delta)

    def sgd_step(self, X: np.ndarray, Y: np.ndarray, eta: float) -> float:
        r"""One iteration of the derivation, steps 1-5, with plain gradient descent.

        :math:`w \leftarrow w - \eta\, \partial C/\partial w`, likewise for ``b``.
        Returns the loss of the batch *before* the update.
        """
        X, Y = self._check_batch(X, Y)
        fp = self._feed_forward(X)
        loss = self.loss_fn.value(fp.z[-1], fp.a[-1], Y)
        delta = self.backward(fp, Y)

        for layer, (grad_W, grad_b) in zip(self.layers, self.parameter_gradients(fp, delta)):
            layer.W -= eta * grad_W
            layer.b -= eta * grad_b
        return loss

    # ----------------------------------------------------------------- using the network

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the output :math:`a^{(L)}`, shape ``(m, N^(L))``, of a batch ``(m, N^(0))``.

        Step 2 again, for inference: nothing is kept for a backward pass, so each
        :math:`\\sigma` may overwrite its :math:`z` instead of allocating a new array.
        """
        a = check_features(X, self.sizes[0], self.dtype)
        for layer in self.layers:
            z = a @ layer.W.T
            z += layer.b
            a = layer.activation.forward_inplace(z)
        return a

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Return the mean loss :math:`C` over the batch; see :meth:`gradients` for shapes."""
        X, Y = self._check_batch(X, Y)
        fp = self._feed_forward(X)
        return self.loss_fn.value(fp.z[-1], fp.a[-1], Y)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels ``(m,)`` for classifiers; outputs for regression (``(m,)`` if one output).

        Multi-output binary cross-entropy predicts ``(m, N^(L))`` of 0/1.
        """
        out = self.forward(X)
        if self.loss_fn.name == "cross_entropy":
            return out.argmax(axis=1)
        if self.loss_fn.name == "binary_cross_entropy":
            labels = (out > 0.5).astype(np.int64)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        return out[:, 0] if out.shape[1] == 1 else out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities ``(m, k)`` for classifiers.

        A single sigmoid output gives two columns, ``[1 - p, p]``, as scikit-learn does.

        Raises
        ------
        TypeError
            If the network was built with a regression loss.
        """
        if not self.loss_fn.classification:
            raise TypeError(
                f"predict_proba needs a classification loss; this network uses "
                f"loss={self.loss_fn.name!r}. Use predict() for regression outputs."
            )
        out = self.forward(X)
        if out.shape[1] == 1 and self.loss_fn.name == "binary_cross_entropy":
            return np.hstack([1.0 - out, out])
        return out

    def fit(self, X, y, **options):
        """Train on ``(X, y)``; see :func:`chainrule.training.fit` for every option.

        Returns
        -------
        History
            Per-epoch loss, metrics and learning rate.
        """
        from .training import fit

        return fit(self, X, y, **options)

    # ----------------------------------------------------------------- bookkeeping

    def encode_targets(self, Y: np.ndarray, m: int | None = None) -> np.ndarray:
        """Return ``Y`` as ``(m, N^(L))`` in the network's dtype, one-hot encoding labels."""
        m = len(Y) if m is None else m
        return check_targets(Y, m, self.sizes[-1], self.loss_fn, self.dtype)

    def _check_batch(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        X = check_features(X, self.sizes[0], self.dtype)
        return X, self.encode_targets(Y, X.shape[0])

    @property
    def activations(self) -> list[str]:
        """Names of :math:`\\sigma` for layers ``1..L``."""
        return [layer.activation.name for layer in self.layers]

    def parameters(self) -> list[np.ndarray]:
        """Every parameter array, in order ``W1, b1, W2, b2, ...`` (views of :attr:`theta`)."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def _ones(self, m: int) -> np.ndarray:
        ones = self._ones_cache
        if ones is None or ones.shape[0] != m:
            ones = self._ones_cache = np.ones(m, dtype=self.dtype)
        return ones

    def config(self) -> dict:
        """The architecture as JSON-ready data; ``Network.from_config`` rebuilds it."""
        return {
            "sizes": list(self.sizes),
            "activations": [layer.activation.config() for layer in self.layers],
            "loss": self.loss_fn.name,
            "init": self.init,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> "Network":
        """Build a network with the architecture of ``config`` (weights are fresh)."""
        acts = config["activations"]
        net = cls(
            config["sizes"],
            activation=acts[:-1] if len(acts) > 1 else "identity",
            output_activation=acts[-1],
            loss=config["loss"],
            init=config.get("init", "auto"),
            seed=config.get("seed"),
            dtype=config.get("dtype", "float32"),
        )
        return net

    def copy(self, dtype: str | None = None) -> "Network":
        """Return an independent copy, optionally in another dtype."""
        config = dict(self.config(), dtype=dtype or self.dtype.name)
        twin = Network.from_config(config)
        for mine, theirs in zip(self.layers, twin.layers):
            theirs.W = mine.W.copy()
            theirs.b = mine.b.copy()
        return twin

    def __repr__(self) -> str:
        shape = "-".join(str(n) for n in self.sizes)
        return (
            f"Network({shape}, activations={self.activations}, "
            f"loss={self.loss_fn.name!r}, dtype={self.dtype.name!r})"
        )


def _count_parameters(sizes: list[int]) -> int:
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes, sizes[1:]))


def split_parameters(flat: np.ndarray, sizes: list[int]) -> list:
    """Views ``[(W1, b1), (W2, b2), ...]`` of a flat vector laid out like ``Network.theta``.

    Each ``W`` has shape ``(n_out, n_in)`` and is the transposed view of ``n_in * n_out``
    contiguous values that hold ``Wᵀ`` row by row.
    """
    pairs, start = [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        W = flat[start:start + n_out * n_in].reshape(n_in, n_out).T
        start += n_out * n_in
        b = flat[start:start + n_out]
        start += n_out
        pairs.append((W, b))
    return pairs


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype.name!r}")
    return dtype


def _hidden_activations(activation, n_hidden: int) -> list:
    if isinstance(activation, (str, dict)) or not isinstance(activation, Sequence):
        return [get_activation(activation) for _ in range(n_hidden)]

    if len(activation) != n_hidden:
        raise ValueError(
            f"activation as a list needs one entry per hidden layer ({n_hidden}); "
            f"got {len(activation)}: {list(activation)}"
        )
    return [get_activation(spec) for spec in activation]
