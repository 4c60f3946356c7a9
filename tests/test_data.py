"""Data: datasets, sampling targets, domains, CSV in and out, splits, standardising, batches."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from nnwork import data
from nnwork.data import Dataset, Standardizer, numbers
from nnwork.targets import get_target, parse


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode(encoding))
    return path


def toy(n: int = 10) -> Dataset:
    x = np.arange(2.0 * n).reshape(n, 2)
    return Dataset(x, x.sum(axis=1, keepdims=True), ("a", "b"), ("s",))


# ---- Dataset ----


def test_dataset_defaults_and_copies() -> None:
    ds = Dataset(np.zeros((3, 2), dtype=np.float32), [[1], [2], [3]])
    assert (len(ds), ds.n_inputs, ds.n_outputs) == (3, 2, 1)
    assert ds.x.dtype == ds.y.dtype == np.float64
    assert (ds.x_names, ds.y_names) == (("x1", "x2"), ("y1",))
    assert repr(ds) == "Dataset(N=3, x_names=('x1', 'x2'), y_names=('y1',))"
    assert Dataset(np.zeros((2, 3)), np.zeros((2, 0)), ["x", "y", "z"]).x_names == ("x", "y", "z")


@pytest.mark.parametrize("x, y, names, match", [
    (np.zeros(3), np.zeros((3, 1)), {}, r"`x` must be 2-D.*got shape \(3,\)"),
    (np.zeros((3, 1)), np.zeros((2, 1)), {}, r"same number of rows.*\(3, 1\) and \(2, 1\)"),
    (np.zeros((3, 0)), np.zeros((3, 1)), {}, "at least one column"),
    ([[1.0, 2.0], [3.0, np.nan]], [[0.0], [0.0]], {},
     r"`x` is not finite at row 1, column 1 \('x2'\): nan"),
    ([[1.0]], [[np.inf]], {"y_names": ("g",)},
     r"`y` is not finite at row 0, column 0 \('g'\): inf"),
    (np.zeros((1, 2)), np.zeros((1, 1)), {"x_names": ("a",)}, r"name the 2 column\(s\)"),
    (np.zeros((1, 1)), np.zeros((1, 1)), {"x_names": ("a",), "y_names": ("a",)}, "'a' twice"),
])
def test_dataset_rejects(x: object, y: object, names: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Dataset(x, y, **names)  # type: ignore[arg-type]


def test_dataset_rejects_types() -> None:
    with pytest.raises(TypeError, match="real numbers, got an array of dtype <U1"):
        Dataset([["a"]], [[1.0]])
    with pytest.raises(TypeError, match="got the str 'ab'"):
        Dataset([[1.0, 2.0]], [[1.0]], x_names="ab")  # type: ignore[arg-type]


def test_subset() -> None:
    ds = toy(5)
    part = ds.subset([4, 0, 4])
    np.testing.assert_array_equal(part.x, ds.x[[4, 0, 4]])
    assert part.y_names == ("s",) and len(ds.subset([])) == 0
    with pytest.raises(ValueError, match="from 0 to 4 for a dataset of 5 rows, got 5"):
        ds.subset([0, 5])
    with pytest.raises(TypeError, match="integers"):
        ds.subset([0.5])


# ---- domains, grids, samples ----


def test_parse_domain() -> None:
    assert data.parse_domain("-3:3, 0:1") == [(-3.0, 3.0), (0.0, 1.0)]
    assert data.parse_domain(" -pi : pi ", n_inputs=3) == [(-math.pi, math.pi)] * 3
    assert data.parse_domain("1e-3:2.5,-PI:+pi", 2) == [(1e-3, 2.5), (-math.pi, math.pi)]


@pytest.mark.parametrize("text, n_inputs, match", [
    ("a:1", None, r"range 1 \('a:1'\): 'a' is not a number"),
    ("0:1,-3:b", None, r"range 2 \('-3:b'\): 'b' is not a number"),
    ("0:1,:1", None, r"range 2 \(':1'\): '' is not a number"),
    ("1:1", None, "low 1.0 must be less than high 1.0"),
    ("2:-2", None, "low 2.0 must be less than high -2.0"),
    ("-inf:0", None, "range 1.*infinite"),
    ("0:1e999", None, "infinite"),
    ("nan:1", None, "not a number"),
    ("-1e308:1e308", None, "too wide, its width high − low overflows"),
    ("3", None, r"range 1 \('3'\): expected low:high"),
    ("0:1:2", None, "expected low:high"),
    ("", None, "expected low:high"),
    ("0:1,0:1", 3, r"has 2 ranges; expected one per input \(3\)"),
])
def test_parse_domain_rejects(text: str, n_inputs: int | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        data.parse_domain(text, n_inputs)


def test_parse_domain_rejects_types() -> None:
    with pytest.raises(TypeError, match="got list"):
        data.parse_domain([(0, 1)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`n_inputs` must be at least 1, got 0"):
        data.parse_domain("0:1", 0)


def test_grid_includes_both_ends_in_ij_order() -> None:
    points = data.grid([(-1, 1), (0, 3)], points_per_axis=(3, 4))
    assert points.shape == (12, 2)
    np.testing.assert_array_equal(points[0], [-1, 0])
    np.testing.assert_array_equal(points[-1], [1, 3])
    np.testing.assert_array_equal(points[:4, 0], -1)  # the first input varies slowest
    np.testing.assert_array_equal(points[:4, 1], [0, 1, 2, 3])
    assert data.grid("0:1", 5).tolist() == [[0.0], [0.25], [0.5], [0.75], [1.0]]
    with pytest.raises(ValueError, match="at least 2, got 1"):
        data.grid("0:1", 1)
    with pytest.raises(ValueError, match=r"100 points on each of 8 axes has about 10\^16 points, more than "
                       r"nnwork's limit of 10,000,000"):
        data.grid([(0, 1)] * 8, 100)
    with pytest.raises(ValueError, match=r"5000 × 5001 has 25,005,000 points"):
        data.grid([(0, 1)] * 2, [5000, 5001])
    with pytest.raises(ValueError) as info:  # a short message however many axes
        data.grid([(0, 1)] * 1000, 2)
    assert len(str(info.value)) < 200 and "about 10^301" in str(info.value)


def test_sample_uniform_shapes_bounds_and_determinism() -> None:
    franke = get_target("franke")
    ds = data.sample(franke, n=500, seed=3)
    assert ds.x.shape == (500, 2) and ds.y.shape == (500, 1)
    assert ds.x_names == ("x", "y") and ds.y_names == ("y1",)
    assert (ds.x >= 0).all() and (ds.x <= 1).all()
    np.testing.assert_array_equal(ds.y[:, 0], franke(ds.x))
    again = data.sample(franke, n=500, seed=3)
    np.testing.assert_array_equal(ds.x, again.x)
    assert not np.array_equal(ds.x, data.sample(franke, n=500, seed=4).x)
    wide = data.sample(parse("x1 + x2 + x3"), "-2:2,0:1,5:6", n=300)
    low, high = wide.x.min(axis=0), wide.x.max(axis=0)
    assert (low >= [-2, 0, 5]).all() and (high <= [2, 1, 6]).all()
    assert (low < [-1.9, 0.05, 5.05]).all() and (high > [1.9, 0.95, 5.95]).all()


def test_sample_grid() -> None:
    ds = data.sample(parse("sin(x)*cos(y)"), "-pi:pi", n=100, method="grid")
    assert ds.x.shape == (100, 2)
    assert ds.x.min() == -math.pi and ds.x.max() == math.pi
    assert len(data.sample(get_target("sphere3"), n=4096, method="grid")) == 16**3
    assert len(data.sample(get_target("sine"), method="grid", points_per_axis=7)) == 7


def test_sample_several_outputs_and_plain_callables() -> None:
    ds = data.sample(lambda x: np.stack([x[:, 0], 2 * x[:, 0]], axis=1), [(0, 1)], n=8)
    assert ds.y.shape == (8, 2) and ds.x_names == ("x1",)
    np.testing.assert_array_equal(ds.y[:, 1], 2 * ds.x[:, 0])


@pytest.mark.parametrize("target, domain, options, match", [
    (parse("x"), None, {}, "`domain` is needed"),
    (parse("x + y"), "0:1,0:1,0:1", {}, r"3 ranges; expected one per input \(2\)"),
    (parse("x"), "0:1", {"method": "sobol"}, "'uniform' or 'grid', got 'sobol'"),
    (parse("x"), "0:1", {"n": 0}, "`n` must be at least 1"),
    (parse("x"), "0:1", {"points_per_axis": 4}, "only to method='grid'"),
    (lambda x: x[:3, 0], "0:1", {"n": 5}, r"shape \(5,\) or \(5, k\).*got shape \(3,\)"),
    (lambda x: np.log(x[:, 0] - 2), "0:1", {"n": 5}, r"not finite at x = \[.*\] \(row 0\)"),
])
def test_sample_rejects(target: object, domain: object, options: dict, match: str) -> None:
    with np.errstate(invalid="ignore"), pytest.raises(ValueError, match=match):
        data.sample(target, domain, **options)  # type: ignore[arg-type]


# ---- CSV ----


def test_read_csv_happy_paths(tmp_path: Path) -> None:
    text = "\ufeff a , b,\"c\" ,d\r\n1, \"2.5\" , 3,4\r\n-5e-1,6,+7,8\r\n\r\n   \n"
    ds = data.read_csv(write(tmp_path, text))
    assert (ds.x_names, ds.y_names) == (("a", "b", "c"), ("d",))
    np.testing.assert_array_equal(ds.x, [[1, 2.5, 3], [-0.5, 6, 7]])
    np.testing.assert_array_equal(ds.y, [[4], [8]])
    path = write(tmp_path, text)
    by_name = data.read_csv(path, x="d, a", y=["b", "c"])
    assert (by_name.x_names, by_name.y_names) == (("d", "a"), ("b", "c"))
    np.testing.assert_array_equal(by_name.y, [[2.5, 3], [6, 7]])
    by_number = data.read_csv(path, x=[1, "2"], y="4,3")
    assert (by_number.x_names, by_number.y_names) == (("a", "b"), ("d", "c"))
    rest = data.read_csv(path, y="a")
    assert rest.x_names == ("b", "c", "d")
    assert data.read_csv(path, x="a,b").y_names == ("c", "d")
    inputs_only = data.read_csv(path, y=[])
    assert inputs_only.y.shape == (2, 0) and inputs_only.n_inputs == 4


def test_read_csv_without_header(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2,3\n4,5,6\n")
    ds = data.read_csv(path)
    np.testing.assert_array_equal(ds.x, [[1, 2], [4, 5]])
    assert (ds.x_names, ds.y_names) == (("x1", "x2"), ("y1",))
    assert data.read_csv(path, x=3, y="1,2").y.tolist() == [[1, 2], [4, 5]]
    with_header = data.read_csv(path, header=True)
    assert with_header.x_names == ("1", "2") and len(with_header) == 1


def test_read_csv_reads_only_the_chosen_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "id,x,y\nfirst,1,2\nsecond,3,4\n")
    assert data.read_csv(path, x="x", y="y").x.tolist() == [[1], [3]]
    with pytest.raises(ValueError, match=r"line 2, column 1 \('id'\): 'first' is not a number"):
        data.read_csv(path)


BAD_CSV = [
    ("", {}, "data.csv is empty"),
    ("\n\n  \n", {}, "data.csv is empty"),
    ("a,b\n", {}, r"data.csv has a header \(line 1\) but no rows"),
    ("a,b\n\n", {}, "has a header .* but no rows"),
    ("a,b\n1,\n", {}, r"data.csv, line 2, column 2 \('b'\): missing value"),
    ("1,2\n3,,4\n", {}, r"line 2, column 3: an extra cell '4'"),
    ("a,b\n1,2\n3,abc\n", {}, r"line 3, column 2 \('b'\): 'abc' is not a number"),
    ("a,b\n1,2\n3, nan\n", {}, r"line 3, column 2 \('b'\): 'nan' is not finite"),
    ("a,b\n-inf,2\n", {}, r"line 2, column 1 \('a'\): '-inf' is not finite"),
    ("1,2\n3,1e999\n", {}, r"line 2, column 2: '1e999' is not finite"),
    ("a,b,c\n1,2,3\n4,5\n", {}, r"line 3, column 3 \('c'\): missing; .* only 2 of the 3 cells"),
    ("a,b\n1,2\n3,4,5\n", {}, r"line 3, column 3: an extra cell '5'; line 1 has 2 cells"),
    ("1,2\n\n3,4\n", {}, "line 2 is blank"),
    ("a,1\n2,3\n", {}, "line 1 mixes names and numbers"),
    ("a,,c\n1,2,3\n", {}, r"line 1, column 2: the header has an empty name"),
    ("a,b,a\n1,2,3\n", {}, r"line 1, column 3: the header repeats the name 'a' of column 1"),
    ("a,b\n1,2\n", {"x": "q"}, r"unknown column 'q' in `x`; the columns are a, b"),
    ("alpha,b\n1,2\n", {"y": "alpah"}, r"'alpah' in `y` \(did you mean 'alpha'\?\)"),
    ("1,2\n3,4\n", {"x": "a"}, r"has no header, so choose columns by number \(1 to 2\)"),
    ("a,b\n1,2\n", {"y": 3}, r"column 3 in `y` is out of range; .* from 1 to 2"),
    ("a,b\n1,2\n", {"x": "0"}, r"column 0 in `x` is out of range"),
    ("a,b\n1,2\n", {"x": "a", "y": "b,a"}, r"column 'a' is chosen as both an input \(`x`\) and"),
    ("1,2\n3,4\n", {"x": [1], "y": [1]}, r"column 1 is chosen as both"),
    ("a,b\n1,2\n", {"x": "a,a"}, r"column 'a' is chosen twice in `x`"),
    ("a\n1\n", {}, "no input columns"),
    ("1,2\n3,x\n", {"header": True}, r"line 2, column 2 \('2'\): 'x' is not a number"),
    ("a,b\n1,2\n", {"header": False}, r"line 1, column 1: 'a' is not a number"),
]


@pytest.mark.parametrize("text, options, match", BAD_CSV)
def test_read_csv_rejects(tmp_path: Path, text: str, options: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        data.read_csv(write(tmp_path, text), **options)


def test_read_csv_rejects_bad_encoding_and_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="data.csv is not UTF-8 text"):
        data.read_csv(write(tmp_path, "a,b\n1,\xe9\n", encoding="latin-1"))
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(TypeError, match="`header` must be True, False or None"):
        data.read_csv(path, header="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`x` must hold column names"):
        data.read_csv(path, x=[1.5])  # type: ignore[list-item]


def test_write_then_read_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    values = rng.standard_normal((50, 3)) * 10.0 ** rng.integers(-300, 300, (50, 3))
    values[0] = [0.1, 1 / 3, -0.0]
    values[1] = [5e-324, np.finfo(float).max, 1e16]
    path = tmp_path / "out.csv"
    data.write_csv(path, ["x1", "x2", "f"], values)
    back = data.read_csv(path)
    assert back.x_names == ("x1", "x2") and back.y_names == ("f",)
    assert np.array_equal(np.column_stack([back.x, back.y]), values)
    assert path.read_text().splitlines()[1] == "0.1,0.3333333333333333,-0.0"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left behind


def test_write_csv_columns_dict_and_open_file(tmp_path: Path) -> None:
    handle = io.StringIO()
    data.write_csv(handle, {"x": np.array([1, 2]), "prediction, units": [0.5, 2.5]})
    assert handle.getvalue() == 'x,"prediction, units"\n1.0,0.5\n2.0,2.5\n'
    (tmp_path / "p.csv").write_text(handle.getvalue())
    back = data.read_csv(tmp_path / "p.csv")
    assert back.y_names == ("prediction, units",) and back.y.tolist() == [[0.5], [2.5]]


@pytest.mark.parametrize("columns, values, error, match", [
    ({"a": [1, 2], "b": [1]}, None, ValueError, r"column 'b' must have shape \(2,\)"),
    (["a", "b"], np.zeros((3, 3)), ValueError, r"shape \(N, 2\).*got shape \(3, 3\)"),
    (["a", "a"], np.zeros((3, 2)), ValueError, "unique non-empty strings, got 'a'"),
    (["a"], None, TypeError, "`columns` must be a dict"),
    ({"a": ["s"]}, None, TypeError, "real numbers"),
])
def test_write_csv_rejects(tmp_path: Path, columns: object, values: object, error: type,
                           match: str) -> None:
    with pytest.raises(error, match=match):
        data.write_csv(tmp_path / "out.csv", columns, values)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_write_csv_names_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="the directory .*nowhere does not exist"):
        data.write_csv(tmp_path / "nowhere" / "out.csv", {"a": [1.0]})


# ---- split, Standardizer, batches ----


def test_split_sizes_disjoint_and_deterministic() -> None:
    ds = toy(100)
    train, validation = data.split(ds, 0.25, seed=1)
    assert validation is not None and (len(train), len(validation)) == (75, 25)
    rows = np.concatenate([train.x[:, 0], validation.x[:, 0]]) / 2
    assert sorted(rows.tolist()) == list(range(100))  # disjoint and complete
    again = data.split(ds, 0.25, seed=1)
    assert again[1] is not None and np.array_equal(again[1].x, validation.x)
    assert train.x_names == ("a", "b")
    assert data.split(ds, 0.0) == (ds, None)
    _, one = data.split(toy(3), 0.1)
    assert one is not None and len(one) == 1


@pytest.mark.parametrize("validation, error, match", [
    (1.0, ValueError, r"fraction in \[0, 1\), got 1.0"),
    (-0.1, ValueError, "got -0.1"),
    (float("nan"), ValueError, "got nan"),
    ("0.2", TypeError, "got '0.2'"),
    (0.8, ValueError, "of 2 rows leaves no rows for training"),
])
def test_split_rejects(validation: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        data.split(toy(2), validation)  # type: ignore[arg-type]


def test_standardizer_round_trip_and_train_only() -> None:
    rng = np.random.default_rng(0)
    ds = Dataset(rng.normal(5, 3, (200, 2)), rng.normal(-100, 0.01, (200, 2)))
    train, validation = data.split(ds, 0.5)
    s = Standardizer().fit(train)
    assert s.x_mean is not None and s.x_std is not None
    np.testing.assert_array_equal(s.x_mean, train.x.mean(axis=0))  # the training rows only
    assert not np.array_equal(s.x_mean, ds.x.mean(axis=0))
    z = s.transform(train)
    np.testing.assert_allclose(z.x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.y.std(axis=0), 1, atol=1e-12)
    assert validation is not None
    np.testing.assert_allclose(s.inverse_y(s.transform(validation).y), validation.y,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(s.transform_x(validation.x) * s.x_std + s.x_mean, validation.x,
                               rtol=0, atol=1e-12)
    one = Standardizer().fit(Dataset(ds.x, ds.y[:, :1]))
    assert one.inverse_y(np.zeros(3)).shape == (3,)  # (N,) is fine for one output


def test_standardizer_constant_column_maps_to_zero() -> None:
    x = np.column_stack([np.full(5, 0.1), np.arange(5.0)])
    s = Standardizer().fit(Dataset(x, np.full((5, 1), 7.0)))
    assert s.x_std.tolist()[0] == 1.0 and s.y_std.tolist() == [1.0]  # type: ignore[union-attr]
    z = s.transform(Dataset(x, np.full((5, 1), 7.0)))
    assert (z.x[:, 0] == 0).all() and (z.y == 0).all()
    np.testing.assert_array_equal(s.inverse_y(z.y), 7.0)


def test_standardizer_to_dict_from_dict() -> None:
    s = Standardizer().fit(toy(9))
    state = json.loads(json.dumps(s.to_dict()))
    back = Standardizer.from_dict(state)
    for key in ("x_mean", "x_std", "y_mean", "y_std"):
        np.testing.assert_array_equal(getattr(back, key), getattr(s, key))
    assert repr(back) == "Standardizer(n_inputs=2, n_outputs=1)"


@pytest.mark.parametrize("change, error, match", [
    ({"x_std": [1.0, 0.0]}, ValueError, r"`x_std` must be above 0, got \[1.0, 0.0\]"),
    ({"y_std": [-1.0]}, ValueError, "`y_std` must be above 0"),
    ({"x_std": [1.0]}, ValueError, "`x_mean` has 2 values and `x_std` has 1"),
    ({"y_mean": [float("nan")]}, ValueError, "`y_mean` must be finite"),
    ({"x_mean": [], "x_std": []}, ValueError, "at least one value"),
    ({"x_mean": ["1", 2.0]}, TypeError, r"`x_mean`\[0\] must be a number, got '1'"),
    ({"y_mean": 3.0}, TypeError, "`y_mean` must be a list of numbers, got float"),
    ({"extra": []}, ValueError, r"unknown \['extra'\]"),
    ({"y_std": None}, TypeError, "`y_std` must be a list"),
])
def test_standardizer_from_dict_rejects(change: dict, error: type, match: str) -> None:
    state = {"x_mean": [0.0, 1.0], "x_std": [1.0, 2.0], "y_mean": [3.0], "y_std": [4.0]}
    with pytest.raises(error, match=match):
        Standardizer.from_dict({**state, **change})
    with pytest.raises(ValueError, match=r"missing \['y_std'\]"):
        Standardizer.from_dict({k: v for k, v in state.items() if k != "y_std"})


def test_standardizer_misuse() -> None:
    with pytest.raises(ValueError, match="not fitted; call fit"):
        Standardizer().transform_x(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not fitted"):
        Standardizer().to_dict()
    s = Standardizer().fit(toy())
    with pytest.raises(ValueError, match=r"`x` must have shape \(N, 2\), .* got shape \(4, 3\)"):
        s.transform_x(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="empty dataset"):
        Standardizer().fit(toy().subset([]))


def test_batches_cover_every_index_once_and_repeat_with_a_seed() -> None:
    epochs = [list(data.batches(10, 4, np.random.default_rng(7))) for _ in range(2)]
    assert [len(b) for b in epochs[0]] == [4, 4, 2]
    assert sorted(np.concatenate(epochs[0]).tolist()) == list(range(10))
    assert all(np.array_equal(a, b) for a, b in zip(*epochs))
    generator = np.random.default_rng(7)
    first, second = (np.concatenate(list(data.batches(10, 3, generator))) for _ in range(2))
    assert not np.array_equal(first, second)  # a new order each epoch
    assert sorted(second.tolist()) == list(range(10))
    in_order = [b.tolist() for b in data.batches(5, 2, shuffle=False)]
    assert in_order == [[0, 1], [2, 3], [4]]
    assert list(data.batches(0, 3, 0)) == [] and len(list(data.batches(3, 100, 0))) == 1


def test_batches_rejects() -> None:
    with pytest.raises(ValueError, match="`batch_size` must be at least 1, got 0"):
        data.batches(10, 0)
    with pytest.raises(TypeError, match="`n` must be an int, got float"):
        data.batches(10.0, 2)  # type: ignore[arg-type]


def test_standardizer_scales_columns_near_the_float64_limit_without_overflow() -> None:
    unit = np.array([[1.0, -3.0], [2.0, 0.5], [-1.0, 4.0], [0.5, 1.0]])
    x = unit * np.array([4e307, 1e-300])  # one column up to 1.6e308, one tiny one
    s = Standardizer().fit(Dataset(x, unit[:, :1]))
    z = s.transform_x(x)
    np.testing.assert_allclose(z, (unit - unit.mean(0)) / unit.std(0), rtol=1e-12)
    assert np.isfinite(s.x_std).all() and np.isfinite(s.x_mean).all()
    Standardizer.from_dict(s.to_dict())  # what a model file stores loads again


def test_standardizer_refuses_outputs_whose_squared_errors_overflow() -> None:
    x = np.arange(4.0).reshape(4, 1)
    y = np.array([[1.0, 1e300], [2.0, 2e300], [3.0, -1e300], [4.0, 5e299]])
    with pytest.raises(ValueError, match=r"output column 'size' reaches 2e\+300.*rescale"):
        Standardizer().fit(Dataset(x, y, y_names=("small", "size")))
    Standardizer().fit(Dataset(x, y / 1e160))  # 1e140: squares still fit in float64


@pytest.mark.parametrize("cell", ["1_000", "١٢", "0x10", "1e", "--1", "1.2.3", "½"])
def test_csv_cells_are_plain_decimal_numbers(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(f"x,y\n1,2\n{cell},3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"line 3, column 1 \('x'\): '{re.escape(cell)}' is not a number"):
        data.read_csv(path)


@pytest.mark.parametrize("text", ["+.5", "-2.", "3E-2", " 7 ", "-inf", "NaN", "Infinity", "1e300"])
def test_plain_decimal_text_reads_as_float_reads_it(text: str) -> None:
    np.testing.assert_equal(numbers.number(text), float(text))


@pytest.mark.parametrize("text", ["1_000", "١٢", "", "e5", "inf1"])
def test_text_float_would_stretch_to_is_not_a_number(text: str) -> None:
    assert not numbers.is_number(text)
    with pytest.raises(ValueError, match="is not a number"):
        numbers.number(text)


def test_domain_bounds_are_plain_decimal_numbers() -> None:
    with pytest.raises(ValueError, match="'1_0' is not a number"):
        data.parse_domain("0:1_0")


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_cells_may_be_separated_by_commas_semicolons_or_tabs(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(separator.join(["a", "b", "y"]) + "\n" + "\n".join(
        separator.join(map(str, row)) for row in [(1, 2, 3), (4.5, -6, 7e-3)]) + "\n")
    ds = data.read_csv(path)
    assert ds.x_names == ("a", "b") and ds.y_names == ("y",)
    np.testing.assert_array_equal(ds.x, [[1, 2], [4.5, -6]])
    np.testing.assert_array_equal(ds.y, [[3], [7e-3]])


def test_a_decimal_comma_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x;y\n1,5;2\n")
    with pytest.raises(ValueError, match=r"line 2, column 1 \('x'\): '1,5' is not a number \(decimal commas"):
        data.read_csv(path)


def test_pandas_index_column_is_skipped_unless_chosen(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(",a,b,y\n0,1,2,3\n1,4,5,6\n2,7,8,9\n")  # pandas' DataFrame.to_csv() with its index
    ds = data.read_csv(path)
    assert ds.x_names == ("a", "b") and ds.y_names == ("y",)
    np.testing.assert_array_equal(ds.x, [[1, 2], [4, 5], [7, 8]])
    assert data.read_csv(path, x="a").x_names == ("a",) and data.read_csv(path, x="a").y_names == ("b", "y")
    by_number = data.read_csv(path, x=[1, 2], y="y")
    assert by_number.x_names == ("column1", "a")
    np.testing.assert_array_equal(by_number.x[:, 0], [0, 1, 2])
