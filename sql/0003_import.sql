-- 0003_import.sql: what bulk imports (collections-admin import) need of the schema.
--
-- Every row written to invoices, payments, clients and contact_notes has its
-- currency checked by a foreign key to currencies. PostgreSQL runs that check as
-- `SELECT 1 FROM ONLY currencies x WHERE code = $1 FOR KEY SHARE OF x`, planned
-- once per session; for a table of 169 short rows in two pages the planner
-- picks a sequential scan, which compares the char(3) code with all 169 rows on
-- every check. Measured on the 2-core development machine, inserting 200,000
-- rows into a table whose only constraint is that foreign key: 3.4 s with the
-- sequential scan, 1.2 s with the primary-key index (16 us against 6 us a row),
-- a quarter of the cost of importing an invoice.
--
-- Spreading the rows over more pages (fillfactor 10: about 14 rows a page, 12
-- pages) makes the sequential scan the more expensive plan by the planner's own
-- costs, so the check uses the index. CLUSTER rewrites the table with the new
-- fillfactor (VACUUM FULL cannot run inside the migration's transaction) and
-- ANALYZE records the new size. Nothing else changes: same rows, same
-- constraints, same grants; the table is read-only for the app.

ALTER TABLE currencies SET (fillfactor = 10);
CLUSTER currencies USING currencies_pkey;
ANALYZE currencies;
