"""SQL that turns a current store back into an older schema, for migration tests."""

# what migrations 19 (items.waiting), 20 (items.dated_by) and 21 (digests_known) added
DROP_AFTER_18 = (
    "DROP INDEX items_waiting; ALTER TABLE items DROP COLUMN waiting;"
    "ALTER TABLE items DROP COLUMN dated_by; DROP TABLE digests_known;"
)
