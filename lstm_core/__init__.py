"""A NumPy LSTM that mirrors torch.nn.LSTM exactly and records every gate at every timestep.

NumPy and the standard library only; `lstm_core.torch_bridge` is the one module that touches torch.
"""

from .backward import Gradients, LayerGradients, lstm_backward
from .lstm import LSTM, LSTMCell
from .recurrence import cell_step, run_direction, sigmoid
from .trace import LayerTrace, Trace

__all__ = [
    "LSTM",
    "LSTMCell",
    "LayerTrace",
    "Trace",
    "cell_step",
    "run_direction",
    "sigmoid",
    "Gradients",
    "LayerGradients",
    "lstm_backward",
]
