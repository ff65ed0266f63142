"""SQL that turns a current store back into an older schema, for migration tests."""

WITHOUT_WAITING = "DROP INDEX items_waiting; ALTER TABLE items DROP COLUMN waiting;"  # 19
