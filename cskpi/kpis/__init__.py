"""KPI definitions. Importing this package registers every KPI, in catalogue order."""

# isort: off
import cskpi.kpis.team
import cskpi.kpis.satisfaction
import cskpi.kpis.business  # noqa: F401
# isort: on
