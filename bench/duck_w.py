"""Workload W in DuckDB SQL, written to the definitions of KPIS.md (the benchmark's reference).

Usage: python bench/duck_w.py TICKETS SURVEYS OUT.csv   (Parquet or CSV files of `cskpi sample`)

Same rules as cskpi: de-duplicate ticket ids keeping the latest `Updated At`, then drop
merged/deleted/spam; as_of = the latest timestamp in the inputs; window 2024-01-01 ..
2025-01-01 UTC; negative durations out of duration KPIs; surveys grouped by their ticket's
agent (any ticket read), `(unknown)` without one; linear-interpolation quantiles.
"""

from __future__ import annotations

import sys

import duckdb

SINCE, UNTIL = "2024-01-01 00:00:00+00", "2025-01-01 00:00:00+00"


def source(path: str) -> str:
    if path.endswith(".parquet"):
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header=true, all_varchar=true)"


def main(tickets: str, surveys: str, out: str) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    ts = "TRY_CAST({} AS TIMESTAMPTZ)"
    num = "TRY_CAST({} AS DOUBLE)"
    con.execute(f"""
      CREATE TEMP TABLE raw AS SELECT
        "Ticket ID" AS id, {ts.format('"Created At"')} AS created,
        {ts.format('"First Response At"')} AS fr, {ts.format('"Resolved At"')} AS resolved,
        {ts.format('"Updated At"')} AS updated, lower(CAST("Status" AS VARCHAR)) AS status,
        CAST("Assignee" AS VARCHAR) AS agent, {num.format('"Agent Replies"')} AS replies,
        {num.format('"Reopens"')} AS reopens, lower(CAST("Escalated" AS VARCHAR)) AS escalated
      FROM {source(tickets)}
      WHERE "Ticket ID" IS NOT NULL AND "Ticket ID" <> '' AND created IS NOT NULL""")
    con.execute("""
      CREATE TEMP TABLE every AS SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY id ORDER BY updated DESC NULLS LAST) AS rn
        FROM raw) WHERE rn = 1""")
    con.execute("""CREATE TEMP TABLE t AS SELECT *, coalesce(nullif(trim(agent), ''),
                   '(unassigned)') AS grp FROM every
                   WHERE status IS NULL OR status NOT IN ('merged', 'deleted', 'spam')""")
    con.execute(f"""
      CREATE TEMP TABLE s AS SELECT * FROM (
        SELECT CAST("Response ID" AS VARCHAR) AS rid, CAST("Ticket ID" AS VARCHAR) AS tid,
               {ts.format('"Submitted At"')} AS submitted, lower(CAST("Survey" AS VARCHAR)) AS kind,
               {num.format('"Score"')} AS score
        FROM {source(surveys)}) WHERE submitted IS NOT NULL""")
    as_of = con.execute("""SELECT greatest(
        (SELECT max(greatest(created, coalesce(fr, created), coalesce(resolved, created),
                             coalesce(updated, created))) FROM raw),
        (SELECT max(submitted) FROM s))""").fetchone()[0]
    con.execute(f"""
      COPY (
      WITH c AS (
        SELECT grp AS agent, strftime(created, '%Y-%m') AS period, count(*) AS tickets_created,
          avg(f) AS frt_mean, quantile_cont(f, 0.5) AS frt_median,
          quantile_cont(f, 0.9) AS frt_p90,
          count(f) AS frt_n,
          sum(CASE WHEN f IS NOT NULL AND f <= 3600 THEN 1 ELSE 0 END)::DOUBLE
            / nullif(sum(CASE WHEN f IS NOT NULL OR (fr IS NULL AND w > 3600) THEN 1 ELSE 0 END), 0)
            AS service_level,
          avg(CASE WHEN resolved IS NOT NULL OR status IN ('solved', 'resolved', 'closed')
                   THEN 1.0 ELSE 0.0 END) AS resolution_rate,
          avg(CASE WHEN escalated = 'true' THEN 1.0 WHEN escalated = 'false' THEN 0.0 END)
            AS escalation_rate
        FROM (SELECT *, CASE WHEN fr >= created THEN epoch_us(fr) - epoch_us(created) END / 1e6 AS f,
                     CASE WHEN coalesce(resolved, TIMESTAMPTZ '{as_of}') >= created THEN
                       (epoch_us(coalesce(resolved, TIMESTAMPTZ '{as_of}')) - epoch_us(created)) / 1e6
                     END AS w
              FROM t WHERE created >= '{SINCE}' AND created < '{UNTIL}')
        GROUP BY ALL),
      r AS (
        SELECT grp AS agent, strftime(resolved, '%Y-%m') AS period,
          avg(CASE WHEN resolved >= created THEN (epoch_us(resolved) - epoch_us(created)) / 1e6 END)
            AS resolution_time_mean,
          avg(CASE WHEN replies IS NOT NULL AND reopens IS NOT NULL THEN
                CASE WHEN replies = 1 AND reopens = 0 THEN 1.0 ELSE 0.0 END END) AS fcr_rate
        FROM t WHERE resolved >= '{SINCE}' AND resolved < '{UNTIL}' GROUP BY ALL),
      v AS (
        SELECT coalesce(CASE WHEN e.id IS NULL THEN '(unknown)'
                             ELSE coalesce(nullif(trim(e.agent), ''), '(unassigned)') END,
                        '(unknown)') AS agent,
          strftime(submitted, '%Y-%m') AS period,
          avg(CASE WHEN kind = 'csat' AND score BETWEEN 1 AND 5 THEN
                CASE WHEN score >= 4 THEN 1.0 ELSE 0.0 END END) AS csat,
          100 * avg(CASE WHEN kind = 'nps' AND score BETWEEN 0 AND 10 THEN
                CASE WHEN score >= 9 THEN 1.0 ELSE 0.0 END END)
          - 100 * avg(CASE WHEN kind = 'nps' AND score BETWEEN 0 AND 10 THEN
                CASE WHEN score <= 6 THEN 1.0 ELSE 0.0 END END) AS nps
        FROM s LEFT JOIN every e ON e.id = s.tid
        WHERE submitted >= '{SINCE}' AND submitted < '{UNTIL}' GROUP BY ALL)
      SELECT agent, period, coalesce(tickets_created, 0) AS tickets_created, frt_mean,
             frt_median, frt_p90, service_level, resolution_time_mean, resolution_rate,
             fcr_rate, escalation_rate, csat, nps
      FROM c FULL JOIN r USING (agent, period) FULL JOIN v USING (agent, period)
      ORDER BY agent, period) TO '{out}' (HEADER, DELIMITER ',')""")


if __name__ == "__main__":
    main(*sys.argv[1:4])
