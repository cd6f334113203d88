"""beans.train: the chunked driver behind `beans train`."""

from __future__ import annotations

import numpy as np
import pytest

import beans


def test_chunked_training_equals_one_uninterrupted_call():
    result = beans.train(seeds=range(5), epochs=300, snapshot_every=100, test_beans=0)
    xs, ys = beans.get_beans(100, 0)
    whole = beans.sgd_many(beans.init_params_many(range(5)), xs, ys, 300, 0.03)
    np.testing.assert_array_equal(result.params, whole)


def test_histories_records_and_callbacks():
    calls = []

    def on_chunk(done, total):
        calls.append((done, total))

    result = beans.train(seeds=[3, 4], epochs=250, snapshot_every=100, on_chunk=on_chunk)
    assert result.snapshot_epochs.tolist() == [0, 100, 200, 250]
    # reported while the kernel runs: never backwards, ending at the total
    assert calls[-1] == (250, 250) and all(total == 250 for _, total in calls)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})
    assert result.loss_history.shape == (2, 4) and result.param_history.shape == (4, 2, 7)
    np.testing.assert_array_equal(result.param_history[0], beans.init_params_many([3, 4]))
    np.testing.assert_array_equal(result.param_history[-1], result.params)
    np.testing.assert_allclose(result.loss_history[:, 0], beans.mse(result.start_params, result.xs, result.ys))
    np.testing.assert_allclose(result.final_mse, beans.mse(result.params, result.xs, result.ys))
    assert result.steps == 2 * 250 * 100


def test_python_engine_reports_every_chunk():
    calls = []
    beans.train(seeds=[0], epochs=5, snapshot_every=2, beans=10, engine="python", on_chunk=lambda d, t: calls.append(d))
    assert calls == [2, 4, 5]


def test_zero_epochs_records_only_the_start():
    result = beans.train(seeds=[0], epochs=0)
    assert result.snapshot_epochs.tolist() == [0]
    np.testing.assert_array_equal(result.params, result.start_params)


def test_python_engine_agrees_with_jit(tol):
    jit = beans.train(seeds=[0, 1], epochs=4, snapshot_every=2, beans=30)
    python = beans.train(seeds=[0, 1], epochs=4, snapshot_every=2, beans=30, engine="python")
    np.testing.assert_allclose(python.params, jit.params, rtol=0, atol=tol.jit)


def test_lessons_settings_converge_and_rank_best_first():
    result = beans.train(seeds=range(10))
    assert result.converged.sum() >= 8
    order = beans.ranking(result)
    assert result.final_mse[result.best] == result.final_mse.min()
    assert np.all(np.diff(result.final_mse[order]) >= 0)
    assert np.all(result.test_accuracy[result.converged] >= 0.9)
    assert not np.array_equal(result.test_xs, result.xs)


def test_held_out_beans_can_be_turned_off():
    result = beans.train(seeds=[0], epochs=10, test_beans=0)
    assert result.test_xs.size == 0 and np.isnan(result.test_mse).all()


def test_a_huge_learning_rate_is_reported_as_diverged():
    from beans.results import best_row

    result = beans.train(seeds=range(3), epochs=20, lr=1e10)
    assert result.diverged.all() and not result.converged.any()
    assert beans.ranking(result).tolist() == [0, 1, 2]  # no MSE to rank by: seed order
    assert best_row(result) is None  # and none of them is called best


def test_diverged_seeds_rank_last_whatever_their_mse():
    result = beans.train(seeds=range(4), epochs=50)
    result.diverged[1] = True  # as if its parameters had blown past the limit
    result.final_mse[1] = 0.0  # with a loss that would otherwise rank it first
    order = beans.ranking(result).tolist()
    assert order[-1] == 1 and result.best != 1


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(seeds=[]), "seeds"),
        (dict(seeds=[-1]), "seeds"),
        (dict(epochs=-1), "epochs"),
        (dict(lr=float("inf")), "lr"),
        (dict(beans=1), "beans"),
        (dict(snapshot_every=0), "snapshot_every"),
        (dict(engine="gpu"), "engine"),
        (dict(threads=0), "threads"),
        (dict(test_beans=-1), "test_beans"),
    ],
)
def test_bad_settings_raise(settings, message):
    with pytest.raises(ValueError, match=message):
        beans.TrainConfig(**settings)


@pytest.mark.parametrize("engine", ["jit", "python"])
def test_losses_only_when_parameters_are_not_recorded(engine):
    settings = dict(seeds=range(3), epochs=6, snapshot_every=2, beans=20, engine=engine)
    full = beans.train(**settings)
    lean = beans.train(**settings, record_params=False)
    assert lean.param_history is None
    np.testing.assert_array_equal(lean.params, full.params)
    np.testing.assert_array_equal(lean.loss_history, full.loss_history)


def test_a_run_too_short_to_poll_still_reports_its_end():
    calls = []
    for _ in range(20):  # a warm 1-epoch run ends before the watcher's first poll
        calls.clear()
        beans.train(seeds=[0], epochs=1, beans=2, test_beans=0, on_chunk=lambda d, t: calls.append((d, t)))
        assert calls and calls[-1] == (1, 1)


def test_an_error_in_the_kernel_thread_reaches_the_caller(monkeypatch):
    from types import SimpleNamespace

    from beans.kernels import many
    from beans.kernels.choice import Choice

    from beans import training

    real = many.kernel_module(beans.Shape())

    def broken(*args):
        raise RuntimeError("kernel failed")

    fake = SimpleNamespace(B=real.B, SCRATCH=real.SCRATCH, _train_blocks=broken)
    monkeypatch.setattr(training, "choose_kernel", lambda *a: Choice(fake, "generated", "the broken one", 0.0))
    with pytest.raises(RuntimeError, match="kernel failed"):
        beans.train(seeds=[0], epochs=3, on_chunk=lambda d, t: None)


def test_epochs_to_converge_is_the_first_record_at_the_accuracy_bar():
    result = beans.train(seeds=range(6), epochs=3000, snapshot_every=100, test_beans=0)
    assert result.accuracy_history.shape == result.loss_history.shape == (6, 31)
    np.testing.assert_array_equal(result.accuracy_history[:, -1], result.accuracy)
    bar = result.config.converged_accuracy
    for row, epochs in enumerate(result.epochs_to_converge):
        reached = np.flatnonzero(result.accuracy_history[row] >= bar)
        if reached.size:
            assert epochs == result.snapshot_epochs[reached[0]]
        else:
            assert epochs == beans.training.NEVER
    assert (result.epochs_to_converge > 0).any() and (result.epochs_to_converge[result.converged] > 0).all()


def test_python_engine_records_the_same_accuracies():
    jit = beans.train(seeds=[0, 1], epochs=400, snapshot_every=100, beans=30)
    python = beans.train(seeds=[0, 1], epochs=400, snapshot_every=100, beans=30, engine="python")
    np.testing.assert_array_equal(python.accuracy_history, jit.accuracy_history)
    np.testing.assert_array_equal(python.epochs_to_converge, jit.epochs_to_converge)


def test_noise_reaches_the_training_and_held_out_beans():
    plain, noisy = beans.train(seeds=[0], epochs=1), beans.train(seeds=[0], epochs=1, noise=30.0)
    np.testing.assert_array_equal(plain.xs, noisy.xs)
    assert not np.array_equal(plain.ys, noisy.ys) and not np.array_equal(plain.test_ys, noisy.test_ys)
    np.testing.assert_array_equal(plain.ys, beans.get_beans(100, 0)[1])
