-- 0025_citus_note_key.sql: the one foreign key Citus cannot distribute.
--
-- dunning_messages.note_id names the outbound contact note a sent message
-- became (0015), with ON DELETE SET NULL (note_id). Citus 13.2 refuses SET NULL
-- and SET DEFAULT on a foreign key that includes the distribution column ("SET
-- NULL or SET DEFAULT is not supported in ON DELETE operation when distribution
-- key is included in the foreign key constraint"), so the key could not be
-- added back after the tables were distributed (deploy/citus/README.md).
--
-- Nothing deletes a contact note but a tenant's deletion, which removes the
-- tenant's messages in the same statement (both cascade from tenants). The key
-- now refuses, rather than forgets, the deletion of a note a sent message
-- still names: a message's history keeps its note. The catalog audit refuses
-- SET NULL and SET DEFAULT keys from this migration on (DESIGN.md "Scale-out").

ALTER TABLE dunning_messages
    DROP CONSTRAINT dunning_messages_note_fkey,
    ADD CONSTRAINT dunning_messages_note_fkey FOREIGN KEY (tenant_id, note_id)
        REFERENCES contact_notes (tenant_id, id);
