"""KPI definitions. Importing this package registers every KPI, in catalogue order."""

# isort: off
import cskpi.kpis.team
import cskpi.kpis.satisfaction
import cskpi.kpis.business
import cskpi.kpis.customers
import cskpi.kpis.conversation  # noqa: F401
# isort: on
