"""The database schema, as numbered migrations; a migration, once released, never changes."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: items, fetch state per URL, fetch history
    """
    CREATE TABLE items (
        source_id     TEXT NOT NULL,
        key           TEXT NOT NULL,
        url           TEXT,
        title         TEXT NOT NULL,
        summary_html  TEXT NOT NULL DEFAULT '',
        summary_text  TEXT NOT NULL DEFAULT '',
        content_html  TEXT NOT NULL DEFAULT '',
        published     TEXT NOT NULL,
        date_is_guess INTEGER NOT NULL DEFAULT 0,
        fingerprint   TEXT NOT NULL,
        guid          TEXT,
        fetched_from  TEXT NOT NULL,
        first_seen    TEXT NOT NULL,
        updated       TEXT NOT NULL,
        PRIMARY KEY (source_id, key)
    );
    CREATE INDEX items_published ON items (published DESC);
    CREATE INDEX items_source_url ON items (source_id, url);
    CREATE INDEX items_source_fingerprint ON items (source_id, fingerprint);
    CREATE TABLE fetch_state (
        url                  TEXT PRIMARY KEY,
        source_id            TEXT NOT NULL,
        etag                 TEXT,
        last_modified        TEXT,
        last_status          TEXT,
        last_error           TEXT,
        last_error_kind      TEXT,
        last_message         TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_success         TEXT,
        last_attempt         TEXT,
        next_attempt         TEXT,
        moved_to             TEXT,
        gone                 INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE fetch_history (
        id          INTEGER PRIMARY KEY,
        source_id   TEXT NOT NULL,
        url         TEXT NOT NULL,
        at          TEXT NOT NULL,
        status      TEXT NOT NULL,
        error_kind  TEXT,
        message     TEXT,
        items_found INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fetch_history_source ON fetch_history (source_id, at DESC);
    """,
    # 2: campaign verdicts, near-duplicate groups
    """
    ALTER TABLE items ADD COLUMN group_id TEXT;
    ALTER TABLE items ADD COLUMN shingles TEXT;
    CREATE INDEX items_group ON items (group_id);
    CREATE TABLE item_campaigns (
        source_id   TEXT NOT NULL,
        key         TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        reason      TEXT NOT NULL,
        PRIMARY KEY (source_id, key, campaign_id)
    );
    CREATE INDEX item_campaigns_campaign ON item_campaigns (campaign_id);
    CREATE TABLE campaign_rules (
        campaign_id TEXT PRIMARY KEY,
        digest      TEXT NOT NULL
    );
    """,
]

MIGRATIONS.append(
    # 3: arrival order, the stable order of RFC 5005 archive pages
    """
    ALTER TABLE items ADD COLUMN seq INTEGER;
    UPDATE items SET seq = rowid;
    CREATE INDEX items_seq ON items (seq);
    """
)

MIGRATIONS.append(
    # 4: press targets discovered from a homepage
    """
    CREATE TABLE discovered (
        source_id TEXT PRIMARY KEY,
        found_at  TEXT NOT NULL,
        feeds     TEXT NOT NULL,
        pages     TEXT NOT NULL,
        note      TEXT
    );
    """
)

MIGRATIONS.append(
    # 5: MinHash band keys, so that near-duplicate candidates are found by index
    """
    CREATE TABLE item_bands (
        band      INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        key       TEXT NOT NULL
    );
    CREATE INDEX item_bands_band ON item_bands (band);
    CREATE INDEX item_bands_item ON item_bands (source_id, key);
    """
)

BANDS_MIGRATION = 6  # after it, the store computes the keys of the items stored before
MIGRATIONS.append(
    # 6: band keys point at an item's arrival number (seq) in one clustered table instead
    # of repeating its source id and key text in a table and two indexes: a tenth of the
    # size, and of the pages every refresh writes
    """
    DROP TABLE item_bands;
    CREATE TABLE item_bands (
        band INTEGER NOT NULL,
        seq  INTEGER NOT NULL,
        PRIMARY KEY (band, seq)
    ) WITHOUT ROWID;
    """
)

MIGRATIONS.append(
    # 7: what the feeds show of each source, kept when it leaves sources.yaml; where the
    # discovery of a source's targets started (a new homepage means discovering anew)
    """
    CREATE TABLE sources (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        publisher TEXT,
        land      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        homepage  TEXT
    );
    ALTER TABLE discovered ADD COLUMN started_from TEXT;
    """
)

MIGRATIONS.append(
    # 8: detail pages a refresh had no budget for, read by the next ones until each item's
    # page has been read once
    """
    CREATE TABLE detail_queue (
        source_id TEXT NOT NULL,
        key       TEXT NOT NULL,
        target    TEXT NOT NULL,
        entry     TEXT NOT NULL,
        base      TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        attempts  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source_id, key)
    );
    CREATE INDEX detail_queue_target ON detail_queue (source_id, target, queued_at);
    """
)

MIGRATIONS.append(
    # 9: the shape of items the heuristic found on a listing page, so that the page read
    # later with a single item (the others archived) is still read; and how a listing's
    # items were found, kept as a value instead of being read back from the message
    """
    ALTER TABLE fetch_state ADD COLUMN listing_shape TEXT;
    ALTER TABLE fetch_state ADD COLUMN found_by TEXT;
    UPDATE fetch_state SET found_by = 'heuristic' WHERE last_message LIKE 'heuristic%';
    """
)

BANDS_REKEYED = 10  # after it, the store computes every item's band keys anew
MIGRATIONS.append(
    # 10: band keys mixed in numpy instead of hashed one by one (a quarter of the CPU of
    # grouping); the old keys are dropped and computed anew from the stored shingles
    """
    DELETE FROM item_bands;
    """
)

MIGRATIONS.append(
    # 11: what robots.txt said, by origin, until it expires (a day; an hour after a 5xx),
    # so that a new process does not ask every host again
    """
    CREATE TABLE robots (
        origin       TEXT PRIMARY KEY,
        body         TEXT,
        server_error INTEGER NOT NULL,
        expires      REAL NOT NULL
    );
    """
)

MIGRATIONS.append(
    # 12: e-mail digests, one row per subscription, period and recipient, so that a period
    # goes out once: claimed ('sending') in the transaction that reads the items' arrival
    # numbers, then 'sent', 'empty', 'failed' (retried later) or, when the sender died
    # while sending, 'uncertain' (never sent again); it holds the items that arrived after
    # `after` up to `upto`, where the next one starts
    """
    CREATE TABLE digest_deliveries (
        digest_id    TEXT NOT NULL,
        period       TEXT NOT NULL,
        recipient    TEXT NOT NULL,
        state        TEXT NOT NULL,
        after        INTEGER NOT NULL,
        upto         INTEGER NOT NULL,
        items        INTEGER NOT NULL DEFAULT 0,
        message_id   TEXT NOT NULL,
        claimed_by   TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        next_attempt TEXT,
        updated      TEXT NOT NULL,
        PRIMARY KEY (digest_id, period, recipient)
    );
    """
)

MIGRATIONS.append(
    # 13: WebSub subscriptions to our feeds: verified ones only, with their lease and what
    # was last delivered (the document's ETag), so that a restart neither forgets a
    # subscriber nor sends the same document twice; a failed delivery waits until
    # `next_attempt`
    """
    CREATE TABLE websub_subscriptions (
        topic          TEXT NOT NULL,
        callback       TEXT NOT NULL,
        secret         TEXT,
        expires        TEXT NOT NULL,
        delivered_etag TEXT,
        failures       INTEGER NOT NULL DEFAULT 0,
        next_attempt   TEXT,
        last_error     TEXT,
        created        TEXT NOT NULL,
        PRIMARY KEY (topic, callback)
    );
    """
)

RESHINGLED = 14  # after it, the store computes every item's shingles and band keys anew
MIGRATIONS.append(
    # 14: shingles hashed from their words' hashes in numpy instead of one by one (a fifth
    # of the CPU of reading a feed): every stored item's shingles and band keys are
    # computed anew from its stored text, so that old items are found by new ones
    """
    DELETE FROM item_bands;
    """
)

MIGRATIONS.append(
    # 15: band keys of recent items in a small table of their own, moved into item_bands
    # in one go when it holds RECENT_BANDS rows: random keys put each of an item's twenty
    # rows on another page of the big table, so every refresh wrote most of its pages
    # again (three quarters of what a cold cycle wrote, an eighth of its CPU)
    """
    CREATE TABLE item_bands_recent (
        band INTEGER NOT NULL,
        seq  INTEGER NOT NULL,
        PRIMARY KEY (band, seq)
    ) WITHOUT ROWID;
    """
)

MIGRATIONS.append(
    # 16: a date before 1990 is no publication date (issue 29): an older version stored
    # year 1 as '1-01-01…', which no reader could parse. Such items keep their place by
    # the time they were first seen, marked as a guess.
    """
    UPDATE items SET published = first_seen, date_is_guess = 1
     WHERE published < '1990-01-01' OR published NOT GLOB '[0-9][0-9][0-9][0-9]-*';
    """
)

# A refresh with more new items than FLOOD_THRESHOLD is a flood (a first read of three
# listing pages of 100 stays below it): only its first FLOOD_ALLOWANCE new items go into
# the feeds of many sources.
FLOOD_THRESHOLD = 300
FLOOD_ALLOWANCE = 50
MIGRATIONS.append(
    # 17: items held back from the feeds of many sources (everything, a Land, a campaign,
    # a search): those of a flood beyond FLOOD_ALLOWANCE new items, so that a source
    # gone wrong (a page of 50,000 links) cannot push every other source out of them.
    # They stay in the source's own feed.
    """
    ALTER TABLE items ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    """
)

MIGRATIONS.append(
    # 18: what is remembered of a URL belongs to the source and the URL together: two
    # sources on one feed (a county and its jobcenter) each keep their own ETag, failures
    # and listing shape; keyed by the URL alone, the second got the first's 304
    """
    CREATE TABLE fetch_state_by_source (
        url                  TEXT NOT NULL,
        source_id            TEXT NOT NULL,
        etag                 TEXT,
        last_modified        TEXT,
        last_status          TEXT,
        last_error           TEXT,
        last_error_kind      TEXT,
        last_message         TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_success         TEXT,
        last_attempt         TEXT,
        next_attempt         TEXT,
        moved_to             TEXT,
        gone                 INTEGER NOT NULL DEFAULT 0,
        listing_shape        TEXT,
        found_by             TEXT,
        PRIMARY KEY (source_id, url)
    );
    INSERT INTO fetch_state_by_source SELECT url, source_id, etag, last_modified, last_status,
        last_error, last_error_kind, last_message, consecutive_failures, last_success,
        last_attempt, next_attempt, moved_to, gone, listing_shape, found_by FROM fetch_state;
    DROP TABLE fetch_state;
    ALTER TABLE fetch_state_by_source RENAME TO fetch_state;
    """
)

MIGRATIONS.append(
    # 19: a new item whose date is only the time it was first seen, and whose detail page
    # (where the date is) waits in the queue, goes out nowhere until that page is read
    # (or given up): no feed, digest or push with an invented date. Released, it takes a
    # new arrival number, so that feed archives and digest cursors see it arrive then.
    """
    ALTER TABLE items ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX items_waiting ON items (source_id) WHERE waiting = 1;
    """
)

MIGRATIONS.append(
    # 20: where each item's date came from (core.kinds.DatedBy): the feed, the listing,
    # the date its detail page shows, that page's revision metadata, or first seen.
    # Items stored before say first-seen where their date was a guess, '' otherwise.
    """
    ALTER TABLE items ADD COLUMN dated_by TEXT NOT NULL DEFAULT '';
    UPDATE items SET dated_by = 'first-seen' WHERE date_is_guess = 1;
    """
)

MIGRATIONS.append(
    # 21: when the service first saw each digest: a digest configured at 10:55 for 08:00
    # daily sends first at the next 08:00, not at once with everything stored. Digests
    # that already sent count as known since their first delivery.
    """
    CREATE TABLE digests_known (
        digest_id TEXT PRIMARY KEY,
        since     TEXT NOT NULL
    );
    INSERT INTO digests_known SELECT digest_id, min(updated) FROM digest_deliveries
        GROUP BY digest_id;
    """
)

MIGRATIONS.append(
    # 22: editors and their decisions. Accounts (argon2id hashes), sessions (the cookie's
    # token and CSRF token, both stored as SHA-256 hashes), failed logins for throttling.
    # Every curation decision is one row of `decisions` (who, when, why, before, after;
    # undone ones keep their row); what is in force is kept beside it: the campaign
    # overrides (in/out) and an item's corrected title or date, which no refresh touches.
    """
    CREATE TABLE users (
        name       TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        hash       TEXT NOT NULL,
        feed_token TEXT NOT NULL UNIQUE,
        created    TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user       TEXT NOT NULL,
        csrf       TEXT NOT NULL,
        created    TEXT NOT NULL,
        expires    TEXT NOT NULL
    );
    CREATE TABLE login_failures (
        scope TEXT NOT NULL,
        at    TEXT NOT NULL
    );
    CREATE INDEX login_failures_scope ON login_failures (scope, at);
    CREATE TABLE decisions (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        campaign_id TEXT,
        source_id   TEXT NOT NULL,
        key         TEXT NOT NULL,
        reason      TEXT NOT NULL,
        by          TEXT NOT NULL,
        at          TEXT NOT NULL,
        before      TEXT,
        after       TEXT,
        undone_at   TEXT,
        undone_by   TEXT
    );
    CREATE INDEX decisions_item ON decisions (source_id, key);
    CREATE TABLE campaign_overrides (
        campaign_id TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        key         TEXT NOT NULL,
        member      INTEGER NOT NULL,
        decision    INTEGER NOT NULL,
        PRIMARY KEY (campaign_id, source_id, key)
    );
    ALTER TABLE items ADD COLUMN title_fixed TEXT;
    ALTER TABLE items ADD COLUMN published_fixed TEXT;
    """
)

MIGRATIONS.append(
    # 23: an item whose joint-release group an editor decided (split off, or merged into
    # another's) keeps it: refreshes no longer regroup it (store.curation).
    """
    ALTER TABLE items ADD COLUMN group_fixed INTEGER NOT NULL DEFAULT 0;
    """
)

MIGRATIONS.append(
    # 24: media resonance. A press article is an item marked `press`: it is in no
    # jobcenter's feed, figure or map (every read leaves it out unless asked for coverage).
    # `echoes` links an article to the releases it takes up, with score and evidence.
    """
    ALTER TABLE items ADD COLUMN press INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE echoes (
        article_source TEXT NOT NULL,
        article_key    TEXT NOT NULL,
        release_source TEXT NOT NULL,
        release_key    TEXT NOT NULL,
        score          REAL NOT NULL,
        evidence       TEXT NOT NULL,
        PRIMARY KEY (article_source, article_key, release_source, release_key)
    );
    CREATE INDEX echoes_release ON echoes (release_source, release_key);
    """
)

SHINGLES_APART = 25  # after it, shingles stored as hex text are packed
MIGRATIONS.append(
    # 25: shingles in a narrow table of their own, with what the search for near-duplicate
    # candidates filters on (source, date). As a late column of `items` (after the teaser
    # and full text) every candidate's row was read up to them: 5.7 times the CPU with the
    # 20 KB full texts detail pages give (bench/results.md, session 16). Triggers keep the
    # copies of `seq` and `published` and the row's existence in step with `items`.
    """
    CREATE TABLE item_shingles (
        seq       INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        published TEXT NOT NULL,
        shingles  BLOB NOT NULL
    );
    INSERT INTO item_shingles (seq, source_id, published, shingles)
        SELECT seq, source_id, published, shingles FROM items WHERE shingles != '';
    ALTER TABLE items DROP COLUMN shingles;
    CREATE TRIGGER item_shingles_renumbered AFTER UPDATE OF seq ON items
        WHEN NEW.seq IS NOT OLD.seq
    BEGIN
        UPDATE item_shingles SET seq = NEW.seq WHERE seq = OLD.seq;
    END;
    CREATE TRIGGER item_shingles_redated AFTER UPDATE OF published ON items
        WHEN NEW.published IS NOT OLD.published
    BEGIN
        UPDATE item_shingles SET published = NEW.published WHERE seq = NEW.seq;
    END;
    CREATE TRIGGER item_shingles_deleted AFTER DELETE ON items
    BEGIN
        DELETE FROM item_shingles WHERE seq = OLD.seq;
    END;
    """
)
