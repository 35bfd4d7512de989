"""The rows table as Parquet: the CSV's columns, typed, unrounded (DECISIONS 12).

| column                                             | Arrow type            |
|----------------------------------------------------|-----------------------|
| group columns, `period`, `period_previous`         | string                |
| `partial` (DECISIONS 39)                           | bool                  |
| `<id>_n`                                           | int64                 |
| a count KPI's `<id>`, `_previous`, `_change`       | int64 (null allowed)  |
| every other KPI column (seconds, ratios, NPS, ...) | float64 (null allowed)|

The schema is built from the KPI metadata, never inferred from the data, so it does not
change with the values (an all-null column keeps its type). Null is a Parquet null, never
NaN. Each KPI column's field metadata holds its `unit`; the file's key-value metadata
holds the window, time zone and as-of under `cskpi.*` keys. The table is built with pyarrow
directly — no pandas metadata — and written without a clock, so the same `Result` gives
the same bytes (DECISIONS 27).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from cskpi.version import __version__

if TYPE_CHECKING:
    import pyarrow as pa

    from cskpi.result import Result

COMPRESSION = "snappy"


def parquet_table(result: Result) -> pa.Table:
    """The typed Arrow table written by `render_parquet` (see the module docstring)."""
    import pyarrow as pa

    kinds: dict[str, tuple[str, str]] = {}
    for k in result.kpis:
        unit = str(k.unit)
        value_type = "int64" if unit == "count" else "float64"
        for suffix in ("", "_previous", "_change"):
            kinds[k.id + suffix] = (value_type, unit)
        kinds[f"{k.id}_n"] = ("int64", "count")

    fields, arrays = [], []
    for position, column in enumerate(result.rows.columns):
        name = str(column)
        series = result.rows.iloc[:, position]
        if name == "partial":
            array = pa.array(series.to_numpy(dtype=bool), type=pa.bool_())
            fields.append(pa.field(name, pa.bool_()))
        elif name in kinds:
            kind, unit = kinds[name]
            array = _integers(series, name) if kind == "int64" else _floats(series)
            fields.append(pa.field(name, array.type, metadata={"unit": unit}))
        else:
            array = pa.array(
                [None if _missing(v) else str(v) for v in series.tolist()], type=pa.string()
            )
            fields.append(pa.field(name, pa.string()))
        arrays.append(array)
    schema = pa.schema(fields, metadata=_file_metadata(result))
    return pa.Table.from_arrays(arrays, schema=schema)


def breaches_table(result: Result) -> pa.Table:
    """`--breaches`: one row per breaching ticket (target and actual in float seconds)."""
    import pyarrow as pa

    frame = result.breaches
    assert frame is not None
    text = ("ticket_id", "agent", "metric", "policy", "clock")
    columns = {
        c: pa.array(
            frame[c].astype(object).tolist(), type=pa.string() if c in text else pa.float64()
        )
        for c in ("ticket_id", "agent", "metric", "policy", "target", "actual", "clock")
    }
    return pa.table(columns, metadata=_file_metadata(result))


def render_parquet(result: Result) -> bytes:
    """`result.rows` (or, with --breaches, the breaches) as the bytes of a Parquet file."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    table = parquet_table(result) if result.breaches is None else breaches_table(result)
    pq.write_table(table, buffer, compression=COMPRESSION)
    return buffer.getvalue()


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _floats(series: Any) -> pa.Array:
    """float64, null where the value is null, NaN or infinite."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return pa.array(values, type=pa.float64(), mask=~np.isfinite(values))


def _integers(series: Any, name: str) -> pa.Array:
    """int64 with nulls; exact for int64 input, checked for float input (NaN = null)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return pa.array(series.to_numpy(dtype="int64"), type=pa.int64())
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    missing = ~np.isfinite(values)
    present = values[~missing]
    if not np.array_equal(present, np.floor(present)):
        raise ValueError(f"{name}: a count column holds a fractional value")
    return pa.array(np.where(missing, 0, values).astype("int64"), type=pa.int64(), mask=missing)


def _file_metadata(result: Result) -> dict[str, str]:
    return {
        "cskpi.version": __version__,
        "cskpi.since": result.since.isoformat(),
        "cskpi.until": result.until.isoformat(),
        "cskpi.timezone": result.timezone,
        "cskpi.as_of": result.as_of.isoformat(),
        "cskpi.business_hours": "true" if result.business_hours else "false",
        "cskpi.period": "" if result.period is None else str(result.period),
        "cskpi.group_by": ",".join(str(g) for g in result.group_by),
    }
