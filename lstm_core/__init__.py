"""A NumPy LSTM that mirrors torch.nn.LSTM exactly and records every gate at every timestep; beside
it an RNN and a GRU (torch.nn.RNN, nn.GRU) and the LSTM variants of Greff et al. (VariantLSTM).

NumPy and the standard library only; `lstm_core.torch_bridge` is the one module that touches torch.
"""

from .backward import Gradients, LayerGradients, lstm_backward
from .gru import GRU, GRUCell, GRULayerTrace, GRUTrace
from .lstm import LSTM, LSTMCell
from .recurrence import cell_step, run_direction, sigmoid
from .rnn import RNN, RNNLayerTrace, RNNTrace, rnn_backward
from .trace import LayerTrace, Trace
from .variants import VARIANTS, VariantLayerTrace, VariantLSTM

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
    "RNN",
    "RNNLayerTrace",
    "RNNTrace",
    "rnn_backward",
    "GRU",
    "GRUCell",
    "GRULayerTrace",
    "GRUTrace",
    "VARIANTS",
    "VariantLSTM",
    "VariantLayerTrace",
]
