"""GroupView reductions against plain numpy, per group (property tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.kpis.view import GroupView

values_and_codes = st.integers(min_value=0, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(float("nan"))),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


def view(codes: list[int]) -> GroupView:
    n = len(codes)
    return GroupView(
        pd.DataFrame(index=range(n)),
        np.asarray(codes, dtype="int64"),
        5,
        np.zeros(5, dtype="int64"),
        True,
    )


@settings(max_examples=150, deadline=None)
@given(values_and_codes, st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_quantile_and_mean_match_numpy(data: tuple[list[float], list[int]], q: float) -> None:
    vals, codes = np.asarray(data[0], dtype="float64"), np.asarray(data[1])
    g = view(data[1])
    got, n = g.quantile(vals, q, "x")
    mean, mean_n = g.mean(vals)
    for group in range(5):
        mine = vals[(codes == group) & ~np.isnan(vals)]
        assert n[group] == mean_n[group] == len(mine)
        if len(mine):
            # numpy's default quantile is the linear interpolation KPIS.md names
            assert np.isclose(got[group], np.quantile(mine, q), rtol=1e-12, atol=1e-9)
            assert np.isclose(mean[group], mine.mean(), rtol=1e-9, atol=1e-6)
        else:
            assert np.isnan(got[group]) and np.isnan(mean[group])


def test_share_and_distinct() -> None:
    g = view([0, 0, 1, 1, 1, 3])
    hit = np.array([True, False, True, True, False, False])
    population = np.array([True, True, True, True, False, True])
    ratio, n = g.share(hit, population)
    # group 0: 1 of 2; group 1: 2 of 2 (the 5th row is outside the population); 2: none;
    # group 3: 0 of 1
    assert n.tolist() == [2, 2, 0, 1, 0]
    assert ratio[0] == 0.5 and ratio[1] == 1.0 and np.isnan(ratio[2]) and ratio[3] == 0.0
    labels = np.array([7, 7, 1, 2, 1, 9])
    assert g.distinct(labels, np.ones(6, dtype=bool)).tolist() == [1, 2, 0, 1, 0]
