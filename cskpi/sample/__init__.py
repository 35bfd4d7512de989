"""`cskpi sample`: deterministic synthetic exports (`tickets` writes tickets and surveys,
`business` the customers, orders, schedules and costs that match them; `common` holds what
both share)."""
