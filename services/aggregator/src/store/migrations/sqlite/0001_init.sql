-- 0001_init (SQLite): the aggregator store, as modelled in ../../prisma/schema.prisma.
-- Column types follow what Prisma expects for the sqlite provider (BIGINT, BLOB, DATETIME
-- stored as ISO-8601 text by @prisma/adapter-better-sqlite3, BOOLEAN as 0/1, REAL).

CREATE TABLE "signer_registration" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "epoch" BIGINT NOT NULL,
    "party_id" TEXT NOT NULL,
    "verification_key" BLOB NOT NULL,
    "kes_signature" BLOB,
    "operational_certificate" BLOB,
    "kes_evolutions" INTEGER,
    "stake" BIGINT NOT NULL,
    "registered_at" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "signer_registration_epoch_party_id_key" ON "signer_registration"("epoch", "party_id");
CREATE INDEX "signer_registration_epoch_idx" ON "signer_registration"("epoch");

CREATE TABLE "stake_distribution" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "epoch" BIGINT NOT NULL,
    "party_id" TEXT NOT NULL,
    "stake" BIGINT NOT NULL
);
CREATE UNIQUE INDEX "stake_distribution_epoch_party_id_key" ON "stake_distribution"("epoch", "party_id");

CREATE TABLE "epoch_settings" (
    "epoch" BIGINT NOT NULL PRIMARY KEY,
    "k" BIGINT NOT NULL,
    "m" BIGINT NOT NULL,
    "phi_f" REAL NOT NULL
);

CREATE TABLE "open_message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "epoch" BIGINT NOT NULL,
    "signed_entity_kind" TEXT NOT NULL,
    "beacon" TEXT NOT NULL,
    "protocol_message" TEXT NOT NULL,
    "is_certified" BOOLEAN NOT NULL DEFAULT false,
    "is_expired" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME
);
CREATE UNIQUE INDEX "open_message_signed_entity_kind_beacon_key" ON "open_message"("signed_entity_kind", "beacon");
CREATE INDEX "open_message_epoch_idx" ON "open_message"("epoch");

CREATE TABLE "single_signature" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "open_message_id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "signature" BLOB NOT NULL,
    "won_indexes" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "single_signature_open_message_id_fkey" FOREIGN KEY ("open_message_id") REFERENCES "open_message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "single_signature_open_message_id_party_id_key" ON "single_signature"("open_message_id", "party_id");

CREATE TABLE "certificate" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "previous_hash" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "signed_entity_kind" TEXT NOT NULL,
    "beacon" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "sealed_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL
);
CREATE INDEX "certificate_epoch_idx" ON "certificate"("epoch");
CREATE INDEX "certificate_sealed_at_idx" ON "certificate"("sealed_at");

CREATE TABLE "opcert_counter" (
    "pool_id" TEXT NOT NULL PRIMARY KEY,
    "issue_number" BIGINT NOT NULL
);
