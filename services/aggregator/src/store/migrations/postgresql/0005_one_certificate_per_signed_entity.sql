-- 0005_one_certificate_per_signed_entity (PostgreSQL): at most one standard certificate per signed
-- entity (kind and beacon). Several aggregator replicas share a store and one of them leads; the
-- lease is the first guard, this index the last: if two processes ever race to seal the same
-- message (a leader paused past its lease, a hand-run import), the second insert fails instead
-- of forking the chain. Genesis certificates (empty previous hash) are left out: a genesis
-- certifies a stake distribution epoch as a standard one may, and a new genesis ceremony may
-- restart a chain at an epoch already certified. A store that already holds two standard
-- certificates of one signed entity (a fork) refuses this migration: resolve the fork first.
CREATE UNIQUE INDEX "certificate_signed_entity_key" ON "certificate" ("signed_entity_kind", "beacon") WHERE "previous_hash" <> '';
