"""The engine: from loaded frames and a `ReportRequest` to one `Result`.

`compute` (in `cskpi.engine.compute`) is the entry; `types` holds the request, inputs and
prepared state; `plan` decides what to read before any file is opened; `selection` chooses
the KPIs the data supports; `keys` makes the group codes; `prepare` censors and links;
`passes` runs the KPIs over grouped views; `business_frames` and `states` bring customers,
orders, schedules and costs in; `shaping` turns passes into rows; `targets` judges them.
`peak` and `explain` are the cores of the commands of the same names.
"""
