-- 0001_init: the snapshotter store, as modelled in ../prisma/schema.prisma.
-- Column types follow what Prisma expects for the sqlite provider (BIGINT, DATETIME stored as
-- ISO-8601 text by @prisma/adapter-better-sqlite3).

CREATE TABLE "immutable_file_digest" (
    "file_name" TEXT NOT NULL PRIMARY KEY,
    "digest" TEXT NOT NULL
);

CREATE TABLE "snapshot" (
    "merkle_root" TEXT NOT NULL PRIMARY KEY,
    "hash" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "immutable_file_number" BIGINT NOT NULL,
    "certificate_hash" TEXT NOT NULL,
    "compression" TEXT NOT NULL,
    "cardano_node_version" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "total_db_size_uncompressed" BIGINT NOT NULL,
    "immutables_average_size_uncompressed" BIGINT NOT NULL,
    "digests_key" TEXT NOT NULL,
    "digests_size" BIGINT NOT NULL,
    "full_archive_key" TEXT NOT NULL,
    "full_archive_size" BIGINT NOT NULL,
    "full_archive_sha256" TEXT NOT NULL,
    "full_archive_size_uncompressed" BIGINT NOT NULL
);
CREATE INDEX "snapshot_immutable_file_number_idx" ON "snapshot"("immutable_file_number");
CREATE INDEX "snapshot_hash_idx" ON "snapshot"("hash");

CREATE TABLE "immutable_archive" (
    "immutable_file_number" BIGINT NOT NULL,
    "compression" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_uncompressed" BIGINT NOT NULL,
    "created_at" DATETIME NOT NULL,
    PRIMARY KEY ("immutable_file_number", "compression")
);
