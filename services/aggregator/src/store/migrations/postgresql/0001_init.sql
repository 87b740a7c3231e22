-- 0001_init (PostgreSQL): the aggregator store, as modelled in ../../prisma/schema.prisma.
-- Column types follow what Prisma expects for the postgresql provider (BIGINT, BYTEA,
-- TIMESTAMP(3), BOOLEAN, DOUBLE PRECISION, SERIAL ids).

CREATE TABLE "signer_registration" (
    "id" SERIAL NOT NULL,
    "epoch" BIGINT NOT NULL,
    "party_id" TEXT NOT NULL,
    "verification_key" BYTEA NOT NULL,
    "kes_signature" BYTEA,
    "operational_certificate" BYTEA,
    "kes_evolutions" INTEGER,
    "stake" BIGINT NOT NULL,
    "registered_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "signer_registration_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "signer_registration_epoch_party_id_key" ON "signer_registration"("epoch", "party_id");
CREATE INDEX "signer_registration_epoch_idx" ON "signer_registration"("epoch");

CREATE TABLE "stake_distribution" (
    "id" SERIAL NOT NULL,
    "epoch" BIGINT NOT NULL,
    "party_id" TEXT NOT NULL,
    "stake" BIGINT NOT NULL,
    CONSTRAINT "stake_distribution_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "stake_distribution_epoch_party_id_key" ON "stake_distribution"("epoch", "party_id");

CREATE TABLE "epoch_settings" (
    "epoch" BIGINT NOT NULL,
    "k" BIGINT NOT NULL,
    "m" BIGINT NOT NULL,
    "phi_f" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "epoch_settings_pkey" PRIMARY KEY ("epoch")
);

CREATE TABLE "open_message" (
    "id" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "signed_entity_kind" TEXT NOT NULL,
    "beacon" TEXT NOT NULL,
    "protocol_message" TEXT NOT NULL,
    "is_certified" BOOLEAN NOT NULL DEFAULT false,
    "is_expired" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3),
    CONSTRAINT "open_message_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "open_message_signed_entity_kind_beacon_key" ON "open_message"("signed_entity_kind", "beacon");
CREATE INDEX "open_message_epoch_idx" ON "open_message"("epoch");

CREATE TABLE "single_signature" (
    "id" SERIAL NOT NULL,
    "open_message_id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "signature" BYTEA NOT NULL,
    "won_indexes" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "single_signature_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "single_signature_open_message_id_fkey" FOREIGN KEY ("open_message_id") REFERENCES "open_message"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "single_signature_open_message_id_party_id_key" ON "single_signature"("open_message_id", "party_id");

CREATE TABLE "certificate" (
    "hash" TEXT NOT NULL,
    "previous_hash" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "signed_entity_kind" TEXT NOT NULL,
    "beacon" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "sealed_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "certificate_pkey" PRIMARY KEY ("hash")
);
CREATE INDEX "certificate_epoch_idx" ON "certificate"("epoch");
CREATE INDEX "certificate_sealed_at_idx" ON "certificate"("sealed_at");

CREATE TABLE "opcert_counter" (
    "pool_id" TEXT NOT NULL,
    "issue_number" BIGINT NOT NULL,
    CONSTRAINT "opcert_counter_pkey" PRIMARY KEY ("pool_id")
);
