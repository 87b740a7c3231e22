-- 0003_drop_opcert_counter (SQLite): the aggregator never used its opcert counter table (the
-- certifier checks opcert issue numbers with a counter store of its own).
DROP TABLE "opcert_counter";
