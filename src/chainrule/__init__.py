"""chainrule: neural networks trained by backpropagation, written as the derivation reads.

>>> import chainrule
>>> net = chainrule.Network([2, 4, 1], activation="tanh", loss="binary_cross_entropy", seed=0)
>>> net.layers[0].W.shape       # W[j, i] = w_ij: from input i to neuron j
(4, 2)
"""

from .errors import ChainruleError, DataError, ModelFileError, ShapeError, TrainingDiverged
from .gradcheck import GradcheckReport, gradcheck
from .network import ForwardPass, Network
from .training import Callback, History, Trainer, fit

__version__ = "0.1.0"

__all__ = [
    "Callback",
    "ChainruleError",
    "DataError",
    "ForwardPass",
    "GradcheckReport",
    "History",
    "ModelFileError",
    "Network",
    "ShapeError",
    "Trainer",
    "TrainingDiverged",
    "fit",
    "gradcheck",
]
