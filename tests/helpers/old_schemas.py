"""SQL that turns a current store back into an older schema, for migration tests."""

# what migrations 19 (items.waiting), 20 (items.dated_by), 21 (digests_known) and 22
# (accounts, decisions, corrected fields) and 23 (items.group_fixed) added
DROP_AFTER_18 = (
    "DROP INDEX items_waiting; ALTER TABLE items DROP COLUMN waiting;"
    "ALTER TABLE items DROP COLUMN dated_by; DROP TABLE digests_known;"
    "DROP TABLE users; DROP TABLE sessions; DROP TABLE login_failures; DROP TABLE decisions;"
    "DROP TABLE campaign_overrides; ALTER TABLE items DROP COLUMN title_fixed;"
    "ALTER TABLE items DROP COLUMN published_fixed; ALTER TABLE items DROP COLUMN group_fixed;"
    "ALTER TABLE items DROP COLUMN press; DROP TABLE echoes;"  # 24
)
