"""KPI definitions. Importing this package registers every KPI, in catalogue order."""

# isort: off
from cskpi.kpis import team  # noqa: F401  (catalogue order: team, satisfaction, business)
from cskpi.kpis import satisfaction  # noqa: F401
from cskpi.kpis import business  # noqa: F401
# isort: on
