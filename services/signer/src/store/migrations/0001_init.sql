-- 0001_init: the signer store, as modelled in ../prisma/schema.prisma.
-- Column types follow what Prisma expects for the sqlite provider (BIGINT, BLOB, REAL, DATETIME
-- stored as ISO-8601 text by @prisma/adapter-better-sqlite3).

CREATE TABLE "protocol_initializer" (
    "recording_epoch" BIGINT NOT NULL PRIMARY KEY,
    "party_id" TEXT NOT NULL,
    "signing_key" BLOB NOT NULL,
    "verification_key" BLOB NOT NULL,
    "stake" BIGINT NOT NULL,
    "k" BIGINT NOT NULL,
    "m" BIGINT NOT NULL,
    "phi_f" REAL NOT NULL,
    "created_at" DATETIME NOT NULL,
    "registered_at" DATETIME
);

CREATE TABLE "handled_signed_entity" (
    "signed_entity_kind" TEXT NOT NULL,
    "beacon" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "signed_message" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "won_indexes" INTEGER NOT NULL,
    "handled_at" DATETIME NOT NULL,
    PRIMARY KEY ("signed_entity_kind", "beacon")
);
CREATE INDEX "handled_signed_entity_epoch_idx" ON "handled_signed_entity"("epoch");
