"""beans predict: a trained model's predictions, and clean failures for bad models and sizes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from beans.cli.app import app
from typer.testing import CliRunner

import beans

runner = CliRunner()
SEEDS, EPOCHS = 3, 300
SIZES = ["0.1", "0.8", "1.5", "-0.25", "2"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """results.json from a real (short) ``beans train`` run, and the same run done directly."""
    out = tmp_path_factory.mktemp("model")
    result = runner.invoke(
        app, ["train", "--seeds", str(SEEDS), "--epochs", str(EPOCHS), "--out", str(out), "--no-plot", "-q"]
    )
    assert result.exit_code == 0, result.output
    return out / "results.json", beans.train(seeds=list(range(SEEDS)), epochs=EPOCHS)


def _predict_json(*args):
    result = runner.invoke(app, ["predict", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _network(run, row: int, xs) -> np.ndarray:
    """The run's network on ``xs`` with seed ``row``'s params: what predict must print, exactly."""
    return beans.kernels.predict(run.params[row], np.array(xs, dtype=np.float64), run.config.shape)


def test_best_seed_agrees_with_kernels_predict(model):
    path, run = model
    doc = _predict_json("--model", str(path), *SIZES)
    best = run.best
    assert doc["seed"] == run.config.seeds[best]
    assert doc["shape"] == "1-2-1 sigmoid"
    want = _network(run, best, [float(s) for s in SIZES])
    got = np.array([row["toxicity"] for row in doc["predictions"]])
    np.testing.assert_array_equal(got, want)  # params survive JSON exactly, so do predictions
    # the any-shape forward pass is the lesson's 1-2-1 formula, up to the order of one addition
    lesson = beans.predict(run.params[best], np.array([float(s) for s in SIZES]))
    np.testing.assert_allclose(got, lesson, rtol=0, atol=1e-15)
    assert [row["size"] for row in doc["predictions"]] == [float(s) for s in SIZES]
    assert [row["toxic"] for row in doc["predictions"]] == list(want > beans.TOXIC_ABOVE)


def test_best_is_the_seed_train_ranked_first(model, tmp_path):
    """predict follows results.json's ranks, never a rule of its own: swap them and it follows."""
    path, _ = model
    doc = json.loads(path.read_text())
    first = next(e for e in doc["results"] if e["rank"] == 1)
    last = next(e for e in doc["results"] if e["rank"] == SEEDS)
    first["rank"], last["rank"] = SEEDS, 1
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(doc), encoding="utf-8")
    assert _predict_json("--model", str(swapped), "1.0")["seed"] == last["seed"]


@pytest.mark.parametrize("seed", range(SEEDS))
def test_seed_option_picks_that_seeds_params(model, seed):
    path, run = model
    doc = _predict_json("--model", str(path), "--seed", str(seed), "0.7", "1.9")
    assert doc["seed"] == seed
    want = _network(run, seed, [0.7, 1.9])
    np.testing.assert_array_equal([row["toxicity"] for row in doc["predictions"]], want)


def test_table_names_the_seed_and_each_size(model):
    path, run = model
    result = runner.invoke(app, ["predict", "--model", str(path), "0.8", "1.5"])
    assert result.exit_code == 0, result.output
    assert f"seed {run.config.seeds[run.best]}" in result.stdout
    want = beans.predict(run.params[run.best], np.array([0.8, 1.5]))
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 2
    for row, size, toxicity in zip(rows, ("0.8", "1.5"), want, strict=True):
        call = "1 toxic" if toxicity > beans.TOXIC_ABOVE else "0 safe"
        assert [cell.strip() for cell in row.strip("│").split("│")] == [size, f"{toxicity:.4f}", call]


def test_unknown_seed_lists_the_available_ones(model):
    path, _ = model
    result = runner.invoke(app, ["predict", "--model", str(path), "--seed", "99", "1"])
    assert result.exit_code == 2
    assert "it holds 0, 1, 2" in result.output
    assert result.output.strip().count("\n") == 0


def _model_file(tmp_path, seeds, params=None) -> str:
    """A results.json with ``seeds``, ranked in that order, every one with ``params`` (default: 1.0s)."""
    params = dict.fromkeys(beans.PARAM_NAMES, 1.0) if params is None else params
    entries = [{"seed": s, "rank": k + 1, "diverged": False, "params": dict(params)} for k, s in enumerate(seeds)]
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"results": entries}), encoding="utf-8")
    return str(path)


def test_unknown_seed_among_many_is_summarised_in_a_short_line(tmp_path):
    path = _model_file(tmp_path, range(1000))
    result = runner.invoke(app, ["predict", "--model", path, "--seed", "5000", "1"])
    _assert_one_line_error(result, 2)
    assert "it holds 1000 seeds: 0..999" in result.output and len(result.output) < 200


def test_unknown_seed_among_scattered_seeds_shows_a_few_and_the_count(tmp_path):
    path = _model_file(tmp_path, [3 * k for k in range(50)])
    result = runner.invoke(app, ["predict", "--model", path, "--seed", "1", "1"])
    _assert_one_line_error(result, 2)
    assert "it holds 50 seeds: 0, 3, 6, " in result.output and ", ..., 147" in result.output


@pytest.mark.parametrize("bad", ["x", None, True, [1.0]])
@pytest.mark.parametrize("by_name", [False, True])
def test_corrupt_params_of_the_chosen_seed_fail_naming_it(tmp_path, bad, by_name):
    """Never a quiet switch to another seed: the best's (or the named seed's) params must be usable."""
    doc = json.loads(Path(_model_file(tmp_path, [7, 8])).read_text())
    doc["results"][0]["params"]["w21_2"] = bad  # seed 7, ranked 1
    path = tmp_path / "corrupt.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    args = ["predict", "--model", str(path), *(["--seed", "7"] if by_name else []), "1.0"]
    result = runner.invoke(app, args)
    _assert_one_line_error(result, 1)
    assert "seed 7" in result.output and "w21_2 is " in result.output
    assert runner.invoke(app, ["predict", "--model", str(path), "--seed", "8", "1.0"]).exit_code == 0


def test_huge_sizes_predict_without_warnings(model):
    path, _ = model
    for seed in map(str, range(SEEDS)):
        result = runner.invoke(app, ["predict", "--model", str(path), "--seed", seed, "--json", "1e308", "-1.7e308"])
        assert result.exit_code == 0, result.output
        assert result.stderr == ""  # numpy's overflow RuntimeWarning would land here
        assert all(0 <= row["toxicity"] <= 1 for row in json.loads(result.stdout)["predictions"])


def _assert_one_line_error(result, code):
    assert result.exit_code == code, result.output
    assert result.output.startswith("Error: ")
    assert result.output.strip().count("\n") == 0
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing.json", None),
        ("garbage.json", "{not json"),
        ("list.json", "[1, 2, 3]"),
        ("no-params.json", json.dumps({"results": [{"seed": 0, "rank": 1, "final_mse": 0.1, "diverged": False}]})),
        ("some-params.json", json.dumps({"results": [{"seed": 0, "rank": 1, "params": {"w11_1": 1.0}}]})),
        (
            "null-params.json",
            json.dumps({"results": [{"seed": 0, "rank": 1, "params": dict.fromkeys(beans.PARAM_NAMES)}]}),
        ),
        ("no-rank.json", json.dumps({"results": [{"seed": 0, "params": dict.fromkeys(beans.PARAM_NAMES, 1.0)}]})),
    ],
)
def test_bad_model_files_fail_in_one_line_with_exit_1(tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    _assert_one_line_error(runner.invoke(app, ["predict", "--model", str(path), "1.0"]), 1)


def test_a_model_whose_seeds_all_diverged_has_no_best(tmp_path):
    entry = {
        "seed": 4,
        "rank": 1,
        "final_mse": None,
        "diverged": True,
        "params": dict.fromkeys(beans.PARAM_NAMES, 1.0),
    }
    path = tmp_path / "diverged.json"
    path.write_text(json.dumps({"results": [entry]}), encoding="utf-8")
    _assert_one_line_error(runner.invoke(app, ["predict", "--model", str(path), "1.0"]), 1)
    # asked for by name, a diverged seed with finite params still predicts
    assert runner.invoke(app, ["predict", "--model", str(path), "--seed", "4", "1.0"]).exit_code == 0


@pytest.mark.parametrize("size", ["nan", "NaN", "inf", "-inf", "abc", "1,5", "--jsn", "1_0", "1e999", "0x10"])
def test_bad_sizes_fail_in_one_line_with_exit_2(model, size):
    path, _ = model
    _assert_one_line_error(runner.invoke(app, ["predict", "--model", str(path), "1.0", size]), 2)


@pytest.mark.parametrize(("text", "value"), [("0.8", 0.8), ("-1", -1.0), (".5", 0.5), ("2.", 2.0), ("+2e-3", 0.002)])
def test_plain_decimal_sizes_are_taken(text, value):
    from beans.cli.predict import parse_sizes

    assert parse_sizes([text]) == [value]


# --- a model of any shape -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tanh_model(tmp_path_factory):
    """results.json of a real 1-4-4-1 tanh ``beans train`` run, and its parsed document."""
    out = tmp_path_factory.mktemp("tanh")
    args = ["--hidden", "4x4", "--activation", "tanh", "--seeds", str(SEEDS), "--epochs", str(EPOCHS)]
    result = runner.invoke(app, ["train", *args, "--out", str(out), "--no-plot", "-q"])
    assert result.exit_code == 0, result.output
    path = out / "results.json"
    return path, json.loads(path.read_text())


def _best_params(doc: dict, shape) -> np.ndarray:
    best = next(entry for entry in doc["results"] if entry["rank"] == 1)
    return best["seed"], np.array([best["params"][name] for name in shape.param_names])


def test_a_4x4_tanh_model_predicts_with_its_own_network(tanh_model):
    path, doc = tanh_model
    shape = beans.Shape((4, 4), "tanh")
    seed, params = _best_params(doc, shape)
    got = _predict_json("--model", str(path), *SIZES)
    assert got["seed"] == seed and got["shape"] == "1-4-4-1 tanh"
    want = beans.kernels.predict(params, np.array([float(s) for s in SIZES]), shape)
    np.testing.assert_array_equal([row["toxicity"] for row in got["predictions"]], want)
    table = runner.invoke(app, ["predict", "--model", str(path), "0.8"])
    assert table.exit_code == 0 and f"seed {seed} of {path}, a 1-4-4-1 tanh network" in table.stdout


def test_a_results_json_without_a_network_is_the_lessons(model, tmp_path):
    """Files written before beans trained other shapes name no network: they hold the 1-2-1."""
    path, _ = model
    doc = json.loads(path.read_text())
    for key in ("hidden", "activation", "shape"):
        del doc["settings"][key]
    doc["format"] = 1
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    new = _predict_json("--model", str(path), *SIZES)
    assert _predict_json("--model", str(old), *SIZES) == {**new, "model": str(old)}


def _edited(tmp_path, doc: dict, edit) -> str:
    doc = json.loads(json.dumps(doc))  # a deep copy
    edit(doc)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _every_seed(change):
    def edit(doc):
        for entry in doc["results"]:
            change(entry["params"])

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_every_seed(lambda p: p.pop("b4_2")), "do not fit a 1-4-4-1 tanh network's 33: missing b4_2"),
        (_every_seed(lambda p: p.update(w15_1=0.5)), "34 params do not fit a 1-4-4-1 tanh network's 33: unexpected"),
        (lambda doc: doc["settings"].update(hidden=[2]), "its 33 params do not fit a 1-2-1 tanh network's 7"),
        (lambda doc: doc["settings"].update(hidden=[4, 4, 4]), "1-4-4-4-1 tanh network's 53: missing"),
        (lambda doc: doc["settings"].update(hidden=[0]), "its settings name no network beans can build"),
        (lambda doc: doc["settings"].update(hidden="4x4"), "not a list of layer widths"),
        (lambda doc: doc["settings"].update(activation="softmax"), "activation must be one of"),
        (lambda doc: doc.update(format=99), "written by a newer beans (results format 99"),
    ],
    ids=["missing", "extra", "fewer-layers", "more-layers", "zero-width", "hidden-text", "activation", "format"],
)
def test_a_model_whose_params_do_not_fit_its_network_is_one_line_exit_1(tanh_model, tmp_path, edit, words):
    path, doc = tanh_model
    result = runner.invoke(app, ["predict", "--model", _edited(tmp_path, doc, edit), "1.0"])
    _assert_one_line_error(result, 1)
    assert words in result.output


def test_only_the_chosen_seeds_params_must_fit(tanh_model, tmp_path):
    """A seed with a stray extra name is named when chosen; the others still predict."""
    path, doc = tanh_model
    seed, _ = _best_params(doc, beans.Shape((4, 4), "tanh"))
    other = next(entry["seed"] for entry in doc["results"] if entry["seed"] != seed)

    def edit(doc):
        next(entry for entry in doc["results"] if entry["seed"] == seed)["params"]["extra"] = 1.0

    edited = _edited(tmp_path, doc, edit)
    result = runner.invoke(app, ["predict", "--model", edited, "1.0"])
    _assert_one_line_error(result, 1)
    assert f"seed {seed} (ranked 1, the best)" in result.output and "unexpected extra" in result.output
    assert runner.invoke(app, ["predict", "--model", edited, "--seed", str(other), "1.0"]).exit_code == 0


def test_a_size_too_large_for_relu_arithmetic_is_a_usage_error(tmp_path):
    """relu neurons are unbounded: a huge size can make inf - inf inside the net. Say so, never print NaN."""
    params = {"w11_1": 10.0, "b1_1": 0.0, "w12_1": 10.0, "b2_1": 0.0, "w11_2": 1.0, "w21_2": -1.0, "b1_2": 0.0}
    doc = {
        "format": 2,
        "settings": {"hidden": [2], "activation": "relu"},
        "results": [{"seed": 0, "rank": 1, "diverged": False, "params": params}],
    }
    path = tmp_path / "relu.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _predict_json("--model", str(path), "0.5")["predictions"][0]["toxicity"] == 0.5  # relu(x) - relu(x) = 0
    result = runner.invoke(app, ["predict", "--model", str(path), "1e308", "0.5"])
    _assert_one_line_error(result, 2)
    assert "SIZE 1e308 is too large for this 1-2-1 relu network's arithmetic" in result.output


def test_the_first_line_stays_whole_with_a_long_model_path(tanh_model, tmp_path):
    path, doc = tanh_model
    deep = tmp_path / ("a-long-folder-name-" * 4) / "results.json"
    deep.parent.mkdir()
    deep.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["predict", "--model", str(deep), "0.8"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("seed ") and first.endswith(")") and "a 1-4-4-1 tanh network (final MSE " in first
