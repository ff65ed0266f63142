"""SQL that turns a current store back into an older schema, for migration tests."""

# what migrations 19 (items.waiting) and 20 (items.dated_by) added
DROP_AFTER_18 = (
    "DROP INDEX items_waiting; ALTER TABLE items DROP COLUMN waiting;"  # 19
    "ALTER TABLE items DROP COLUMN dated_by;"  # 20
)
