-- 0004_opcert_counter (PostgreSQL): the highest operational certificate issue number seen per pool.
-- The aggregator now verifies every registration's key certification itself (no trust in the
-- certifier or the gateway), so it keeps the counter that refuses a retired hot key.
CREATE TABLE "opcert_counter" (
    "pool_id" TEXT NOT NULL,
    "issue_number" BIGINT NOT NULL,
    CONSTRAINT "opcert_counter_pkey" PRIMARY KEY ("pool_id")
);
