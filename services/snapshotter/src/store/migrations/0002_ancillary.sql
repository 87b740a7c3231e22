-- 0002_ancillary: a snapshot's ancillary archive (ledger-state snapshot, last trio, signed
-- manifest). Nullable: snapshots made without an ancillary key, or before this version, have none.

ALTER TABLE "snapshot" ADD COLUMN "ancillary_key" TEXT;
ALTER TABLE "snapshot" ADD COLUMN "ancillary_size" BIGINT;
ALTER TABLE "snapshot" ADD COLUMN "ancillary_sha256" TEXT;
ALTER TABLE "snapshot" ADD COLUMN "ancillary_size_uncompressed" BIGINT;
