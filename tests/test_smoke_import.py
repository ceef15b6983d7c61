import numpy as np

from lstm_core import LSTM


def test_article_example_shapes():
    model = LSTM(10, 20, num_layers=2, seed=0)
    x = np.random.default_rng(0).normal(size=(5, 3, 10))
    out, (h_n, c_n) = model(x)
    assert out.shape == (5, 3, 20) and h_n.shape == (2, 3, 20) and c_n.shape == (2, 3, 20)
