-- 0001_opcert_counter (SQLite): the highest operational certificate issue number seen per pool,
-- shared by the certifier's replicas (until now a JSON-lines file of each certifier's own).
-- The same table as the aggregator's (its 0004): service-kit's statements read and raise both.
CREATE TABLE "opcert_counter" (
    "pool_id" TEXT NOT NULL PRIMARY KEY,
    "issue_number" BIGINT NOT NULL
);
