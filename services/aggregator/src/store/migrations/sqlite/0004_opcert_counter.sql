-- 0004_opcert_counter (SQLite): the highest operational certificate issue number seen per pool.
-- The aggregator now verifies every registration's key certification itself (no trust in the
-- certifier or the gateway), so it keeps the counter that refuses a retired hot key.
CREATE TABLE "opcert_counter" (
    "pool_id" TEXT NOT NULL PRIMARY KEY,
    "issue_number" BIGINT NOT NULL
);
