"""SQL that turns a current store back into an older schema, for migration tests."""

# what migrations 19 (items.waiting), 20 (items.dated_by), 21 (digests_known) and 22
# (accounts, decisions, corrected fields), 23 (items.group_fixed), 24 (press, echoes) and
# 25 (item_shingles, its triggers) added or moved
SHINGLES_BACK_IN_ITEMS = (
    "ALTER TABLE items ADD COLUMN shingles TEXT;"
    "UPDATE items SET shingles = coalesce("
    " (SELECT s.shingles FROM item_shingles s WHERE s.seq = items.seq), '');"
    "DROP TRIGGER item_shingles_renumbered; DROP TRIGGER item_shingles_redated;"
    "DROP TRIGGER item_shingles_deleted; DROP TABLE item_shingles;"
)
DROP_AFTER_18 = (
    SHINGLES_BACK_IN_ITEMS + "DROP INDEX items_waiting; ALTER TABLE items DROP COLUMN waiting;"
    "ALTER TABLE items DROP COLUMN dated_by; DROP TABLE digests_known;"
    "DROP TABLE users; DROP TABLE sessions; DROP TABLE login_failures; DROP TABLE decisions;"
    "DROP TABLE campaign_overrides; ALTER TABLE items DROP COLUMN title_fixed;"
    "ALTER TABLE items DROP COLUMN published_fixed; ALTER TABLE items DROP COLUMN group_fixed;"
    "ALTER TABLE items DROP COLUMN press; DROP TABLE echoes;"  # 24
)
