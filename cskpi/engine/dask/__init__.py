"""The Dask engine (`--engine dask`, DECISIONS 48): the same report on a Dask cluster.

`sources` lists the partitions (files, directories, globs, hive columns, fsspec URLs);
`tasks` holds what runs on the workers (the local readers, normaliser and `compute`, on
partitions); `run` is the client (connect, submit, gather); `merge` joins the small results;
`support` refuses what cannot be served yet. Dask is imported only inside `run.connect`.
"""

from cskpi.engine.dask.run import INSTALL, compute_dask
from cskpi.engine.dask.support import check_inputs

__all__ = ["INSTALL", "check_inputs", "compute_dask"]
