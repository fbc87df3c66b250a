"""The anchors the engine is measured against: the Guangshui totals as a data analyst would
compute them by hand, in SQL on the same database and in DuckDB on a Parquet copy.

Each returns {membership_id: (total, grade)}; grade is None (Guangshui publishes no bands).
"""

from decimal import Decimal

# One query, two dialects: only JSON access and the clamp functions differ.
_SQL = """
WITH live AS (
  SELECT e.membership_id AS m, e.kind,
         {status} AS status, {role} AS role, {meeting} AS meeting, {state} AS state,
         {type} AS type, {level} AS level
  FROM ledger_entry e
  WHERE e.committee_id = {p} AND e.date >= {p} AND e.date <= {p} AND e.effective <= {p}
    AND e.kind <> 'void'
    AND NOT EXISTS (SELECT 1 FROM ledger_entry s
                    WHERE s.supersedes_id = e.id AND s.effective <= {p})
),
per AS (
  SELECT l.m,
    SUM(CASE
      WHEN l.kind = 'proposal' AND l.status = 'registered' THEN
        CASE l.role WHEN 'first_author' THEN 20 WHEN 'co_signer' THEN 15 ELSE 0 END
      WHEN l.kind = 'proposal' AND l.status = 'converted' THEN
        CASE l.role WHEN 'first_author' THEN 15 WHEN 'co_signer' THEN 10 ELSE 0 END
      WHEN l.kind IN ('opinion_report', 'history_material') AND l.status = 'submitted'
        THEN 20
      WHEN l.kind = 'service' AND l.type IN ('key_enterprise', 'household_pairing') THEN 20
      ELSE 0 END) AS duty,
    SUM(CASE WHEN l.kind = 'attendance' THEN
      CASE
        WHEN l.meeting = 'plenary' AND l.state IN ('late', 'left_early') THEN -1
        WHEN l.meeting = 'plenary_group' AND l.state = 'unexcused' THEN -1.5
        WHEN l.meeting = 'standing' AND l.state IN ('late', 'left_early')
             AND ms.role = 'standing' THEN -2
        WHEN l.meeting = 'standing' AND l.state = 'unexcused' AND ms.role = 'standing'
             THEN -3
        WHEN l.meeting = 'other' AND l.state IN ('late', 'left_early') THEN -1
        WHEN l.meeting = 'other' AND l.state = 'unexcused' THEN -1.5
        ELSE 0 END
      ELSE 0 END) AS deductions,
    MAX(CASE WHEN l.kind = 'study' AND l.type = 'notebook' THEN 5 ELSE 0 END)
      + MAX(CASE WHEN l.kind = 'writing' AND l.type = 'reflection' THEN 5 ELSE 0 END)
      AS study,
    MAX(CASE WHEN l.kind = 'commendation' THEN
      CASE l.level WHEN 'national' THEN 10 WHEN 'provincial' THEN 8
                   WHEN 'prefecture' THEN 6 WHEN 'county' THEN 4 ELSE 0 END
      ELSE 0 END) AS bonus
  FROM live l JOIN orgs_membership ms ON ms.id = l.m
  GROUP BY l.m
)
SELECT ms.id,
  {least}(110, {least}(80, COALESCE(per.duty, 0))
     + {greatest}(0, {least}(10, 10 + COALESCE(per.deductions, 0)))
     + {least}(10, COALESCE(per.study, 0))
     + {least}(10, COALESCE(per.bonus, 0))) AS total
FROM orgs_membership ms LEFT JOIN per ON per.m = ms.id
WHERE ms.committee_id = {p} AND ms.start <= {p} AND (ms."end" IS NULL OR ms."end" >= {p})
"""


def sql_for(vendor: str) -> str:
    if vendor == "postgresql":
        attr = "e.attrs->>'{}'"
        extra = dict(least="LEAST", greatest="GREATEST", p="%s")
    else:  # sqlite: scalar MIN/MAX with two arguments are LEAST/GREATEST
        attr = "e.attrs->>'$.{}'"
        extra = dict(least="MIN", greatest="MAX", p="%s")
    names = ("status", "role", "meeting", "state", "type", "level")
    return _SQL.format(**{n: attr.format(n) for n in names}, **extra)


def sql_params(committee_id, start, end, as_of):
    return [committee_id, start, end, as_of, as_of, committee_id, end, start]


def hand_sql(connection, committee_id, start, end, as_of) -> dict[int, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(sql_for(connection.vendor), sql_params(committee_id, start, end, as_of))
        return {m: Decimal(str(t)) for m, t in cursor.fetchall()}


def duckdb_totals(parquet_dir: str, committee_id, start, end, as_of) -> dict[int, Decimal]:
    import duckdb

    sql = _SQL.format(
        **{n: f"json_extract_string(e.attrs, '$.{n}')" for n in
           ("status", "role", "meeting", "state", "type", "level")},
        least="LEAST", greatest="GREATEST", p="?")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW ledger_entry AS SELECT * FROM '{parquet_dir}/entries.parquet'")
    con.execute(f"CREATE VIEW orgs_membership AS "
                f"SELECT * FROM '{parquet_dir}/memberships.parquet'")
    rows = con.execute(sql, sql_params(committee_id, start, end, as_of)).fetchall()
    return {m: Decimal(str(t)) for m, t in rows}
