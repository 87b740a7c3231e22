CREATE TABLE "cardano_database_snapshot" (
    "hash" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "immutable_file_number" BIGINT NOT NULL,
    "merkle_root" TEXT NOT NULL,
    "certificate_hash" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "cardano_database_snapshot_pkey" PRIMARY KEY ("hash")
);
CREATE INDEX "cardano_database_snapshot_epoch_idx" ON "cardano_database_snapshot"("epoch");
CREATE INDEX "cardano_database_snapshot_created_at_idx" ON "cardano_database_snapshot"("created_at");
CREATE INDEX "cardano_database_snapshot_certificate_hash_idx" ON "cardano_database_snapshot"("certificate_hash");
