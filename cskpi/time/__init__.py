"""Time: report windows, period buckets and their labels (`window`), business-hours clocks
(`calendar`). UTC inside; the report zone is applied here, once."""
