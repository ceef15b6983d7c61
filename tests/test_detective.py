"""The unit detective without Streamlit: the task, the training (fast, deterministic), the check
that finds the unit tracking each bracket depth, and its figures."""

import time

import numpy as np
import pytest

from app_logic import detective as D
from app_logic.i18n import tr
from viz.challenges import create_correlation_figure, create_detective_figure


@pytest.fixture(scope="module")
def det():
    return D.train_detective()


def test_the_task_counts_open_brackets_of_each_kind():
    batch = D.depth_batch(5, batch_size=16)
    assert batch.x.shape == (D.T, 16, 4) and batch.y.shape == (D.T, 16, 2)
    assert np.all(batch.x.sum(axis=2) == 1)  # one bracket per step
    for b in range(16):
        depth = np.zeros(2)
        for t in range(D.T):
            k = int(batch.x[t, b].argmax())  # ( ) [ ]
            depth[k // 2] += 1 if k % 2 == 0 else -1
            np.testing.assert_array_equal(batch.y[t, b], depth)
    assert batch.y.min() == 0 and batch.y.max() == D.DEEPEST


def test_training_takes_a_few_seconds_and_is_deterministic(det):
    start = time.perf_counter()
    again = D.train_detective()
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"training took {elapsed:.1f} s"  # measured here: about 0.5–1.5 s
    np.testing.assert_array_equal(again.r, det.r)
    assert det.loss < 0.05  # it learned the depths (always answering the mean scores ≈ 0.7)


def test_correlations_are_pearsons_r_over_every_step(det):
    H = det.r.shape[1]
    for q in range(2):
        for j in range(H):
            want = np.corrcoef(det.trace.c[..., j].ravel(), det.depth[..., q].ravel())[0, 1]
            assert det.r[q, j] == pytest.approx(want, abs=1e-12)
    flat = D.correlations(np.ones((5, 2, 3)), np.arange(20.0).reshape(5, 2, 2))
    np.testing.assert_array_equal(flat, np.zeros((2, 3)))  # a constant unit follows nothing


def test_each_depth_has_one_clear_counter_and_they_differ(det):
    best = D.solution(det)
    assert best["round"] != best["square"]
    for q, name in enumerate(D.QUANTITIES):
        r = np.abs(det.r[q])
        assert r[best[name]] == r.max() > 0.9
        assert np.sort(r)[-2] < r.max() - 2 * D.TOLERANCE  # the runner-up does not pass


def test_the_check_passes_the_best_units_and_names_a_better_one_for_a_poor_pick(det):
    best = D.solution(det)
    assert all(p.passed for p in D.check(det, best))
    poor = {q: int(np.argmin(np.abs(det.r[n]))) for n, q in enumerate(D.QUANTITIES)}
    for pick in D.check(det, poor):
        assert not pick.passed
        assert pick.best == best[pick.quantity]
        assert abs(pick.r) < abs(pick.r_best) - D.TOLERANCE
    default = {q: 0 for q in D.QUANTITIES}  # the page's starting pick
    assert not all(p.passed for p in D.check(det, default))


def test_a_pick_within_the_tolerance_of_the_best_passes():
    r = np.array([[0.5, -0.96, 0.93], [0.1, 0.2, 0.3]])
    fake = D.Detective(None, None, None, None, r, 0.0)
    round_picks = [D.check(fake, {"round": j})[0] for j in range(3)]
    assert [p.passed for p in round_picks] == [False, True, True]  # 0.93 ≥ 0.96 − 0.05
    with pytest.raises(ValueError):
        D.check(fake, {"round": 3})
    with pytest.raises(ValueError):
        D.check(fake, {"curly": 0})


def test_the_detective_figure_holds_the_heatmap_and_the_depths(det):
    picks = {"round": 2, "square": 4}
    fig = create_detective_figure(det, "en", picks)
    heat, rnd, sq = fig.data
    c = det.trace.c[:, D.EXAMPLE, :].T  # (H, T)
    np.testing.assert_allclose(heat.z, c / np.abs(c).max(axis=1, keepdims=True))
    assert (heat.zmin, heat.zmax) == (-1, 1)
    np.testing.assert_array_equal(rnd.y, det.depth[:, D.EXAMPLE, 0])
    np.testing.assert_array_equal(sq.y, det.depth[:, D.EXAMPLE, 1])
    assert [s.y0 + 0.5 for s in fig.layout.shapes] == [2, 4]  # the picked rows are framed
    assert list(fig.layout.xaxis.ticktext) == list(det.string())
    assert rnd.name == tr("challenges.det_round", "en")
    zh = create_detective_figure(det, "zh")
    assert zh.data[2].name == tr("challenges.det_square", "zh") and not zh.layout.shapes


def test_the_correlation_figure_shows_r_per_unit(det):
    fig = create_correlation_figure(det, "zh")
    np.testing.assert_array_equal(fig.data[0].y, det.r[0])
    np.testing.assert_array_equal(fig.data[1].y, det.r[1])
    assert list(fig.data[0].x) == [tr("challenges.det_unit", "zh", j=j) for j in range(6)]
