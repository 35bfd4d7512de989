"""`--users`: agent names for exports that name agents by numeric id (issue 17).

The Zendesk API's ticket and satisfaction JSON carry `assignee_id` (`111`, `222`), so
`--by agent` groups by numbers nobody recognises. A users file maps them to names:

- the Zendesk API users export, `{"users": [{"id": 111, "name": "Ana", ...}, ...]}` (any
  JSON or JSONL reader shape; other fields are ignored), or
- a table (CSV, TSV, XLSX, Parquet) with an `id` column (or `user_id`) and a `name` column.

The `agent` of tickets and surveys is replaced by the name of its id; an agent value that is
not an id of the file stays as it is and is counted under `issues` as `agent_not_in_users`.
Requesters stay ids: `customer_id` identifies a customer, and two customers with the same
name must not become one. When two users share a name, their tickets share the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from cskpi.errors import InputError
from cskpi.load.schema import squash

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.normalize import Loaded, LoadOptions

ID_NAMES = ("id", "userid")
"""Header keys (`schema.squash`: `User ID` → `userid`) of the id column, first found."""
NAME_NAMES = ("name",)
UNKNOWN_AGENT = "agent_not_in_users"


def read_users(paths: Sequence[str], options: LoadOptions) -> pd.Series:
    """id (as text) → name, from every users file; the last file read wins on a repeated id.
    A file without an id and a name column is exit 4 naming what it has."""
    import pandas as pd

    from cskpi.load.readers import read_inputs

    pairs = []
    for path in paths:
        raw = read_inputs(
            [path],
            input_format=None if path != "-" else options.input_format,
            encoding=options.encoding,
            sheet=options.sheet,
            delimiter=options.delimiter,
            quote=options.quote,
            decimal=options.decimal,
        )
        frame = raw.frame
        ids, names = _column(frame, ID_NAMES), _column(frame, NAME_NAMES)
        if ids is None or names is None:
            found = ", ".join(str(c) for c in frame.columns[:12])
            raise InputError(
                f"{path}: a users file needs an id and a name column "
                f'(the Zendesk API users export: {{"users": [{{"id": 111, "name": "Ana"}}]}}, '
                f"or a table id,name); found: {found}"
            )
        ids = _id_text(ids.astype("string"))
        names = names.astype("string").str.strip()
        keep = (ids.fillna("") != "") & (names.fillna("") != "")
        pairs.append(pd.Series(names[keep].to_numpy(object), index=ids[keep].to_numpy(object)))
    users = pd.concat(pairs) if pairs else pd.Series(dtype=object)
    return users[~users.index.duplicated(keep="last")]


def _id_text(ids: pd.Series) -> pd.Series:
    """Ids as text to compare: trimmed, `111.0` (an integer id a reader gave as a float) as
    `111`."""
    return ids.str.strip().str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)


def _column(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    by_key = {squash(str(c)): c for c in frame.columns}
    for name in names:
        if name in by_key:
            return frame[by_key[name]]
    return None


def name_agents(loaded: Loaded | None, users: pd.Series) -> Loaded | None:
    """`loaded` with each `agent` id replaced by its name (see the module docstring); the
    work is on the distinct agent values, not on every row."""
    import numpy as np
    import pandas as pd

    if loaded is None or "agent" not in loaded.frame.columns:
        return loaded
    agent = loaded.frame["agent"]
    codes, uniques = pd.factorize(agent, use_na_sentinel=True)
    texts = pd.Index(_id_text(pd.Series(uniques.astype(str), dtype="string")).fillna(""))
    named = texts.map(users)
    found = named.notna() | (texts == "")
    labels = np.where(found & (texts != ""), named.astype(object), np.asarray(uniques, object))
    values = np.append(labels, None)[codes]  # -1 (no agent) takes the appended None
    frame = loaded.frame.assign(agent=pd.Series(values, index=agent.index).astype("category"))
    missing = np.append(~np.asarray(found), False)[codes]
    quality = loaded.quality
    if missing.any():
        ids = frame["ticket_id"] if "ticket_id" in frame.columns else pd.Series(dtype=object)
        examples = [str(v) for v in ids[missing].head(3).tolist()]
        quality = quality.issue(UNKNOWN_AGENT, int(missing.sum()), examples)
    return replace(loaded, frame=frame, quality=quality)
