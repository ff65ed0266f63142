"""Near-duplicates: shingles computed a batch at a time are each text's own, and an
item's nearest duplicate is the most similar of another source (the store puts it in that
one's group: tests/store)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.classify import dedupe, minhash
from aggregator.classify.dedupe import nearest
from aggregator.classify.minhash import shingle_texts
from aggregator.core.judging import Candidate
from aggregator.store.shingles import encode

_WORDS = [
    "Jobcenter",
    "Aktionswoche",
    "kommunale",
    "Landkreis",
    "Görlitz",
    "Stark",
    "Sozial",
    "vor",
    "Ort",
    "2019",
    "und",
    "die",
    "im",
    "der",
]
_TEXTS = st.lists(st.sampled_from(_WORDS), max_size=40).map(" ".join)


@settings(max_examples=300)
@given(st.lists(_TEXTS, max_size=80))
def test_a_batch_of_texts_shingles_each_as_if_alone(texts):
    # runs across two texts' boundary belong to neither; each text's minima are its own
    together = minhash.shingle_texts(texts)
    for text in texts:
        (alone,) = minhash.shingle_texts([text]).values()
        assert together[text] == alone
        assert alone.bands == tuple(minhash.band_keys(alone.shingles))
        assert len(alone.shingles) == len({tuple(w) for w in _runs(text)})


def _runs(text: str) -> list[list[str]]:
    folded = text.lower().replace("ö", "oe").split()
    size = minhash.SHINGLE_WORDS
    return [folded[i : i + size] for i in range(len(folded) - size + 1)]


_SETS = st.frozensets(st.integers(min_value=0, max_value=2**63 - 1), max_size=60)


@settings(max_examples=300)
@given(_SETS, st.lists(_SETS.filter(bool), max_size=30))
def test_similarities_from_stored_bytes_equal_the_sets(own, others):
    # grouping compares a new item with its candidates' packed shingles, all at once
    candidates = [Candidate(n, "b", _packed(s)) for n, s in enumerate(others)]
    expected = [(len(s), minhash.similarity(own, s)) for s in others]
    assert dedupe.similarities(own, candidates) == expected


def test_a_long_text_has_the_band_keys_of_its_minima_taken_at_once(monkeypatch):
    # a long text's minima are taken in parts, to bound the permutation matrix
    long_text = " ".join(f"{_WORDS[n % len(_WORDS)]}{n % 997}" for n in range(3000))
    in_parts = minhash.shingle_texts([long_text])[long_text]
    monkeypatch.setattr(minhash, "SHINGLES_AT_ONCE", 10**9)
    at_once = minhash.shingle_texts([long_text])[long_text]
    monkeypatch.setattr(minhash, "SHINGLES_AT_ONCE", 100)
    assert in_parts == at_once == minhash.shingle_texts([long_text])[long_text]
    assert len(at_once.shingles) > 2000 and len(at_once.bands) == minhash.BANDS


JOINT_TEXT = (
    "Vom 26. bis 30. August laden die kommunalen Jobcenter zu einer bundesweiten Aktionswoche "
    "ein und zeigen mit Aktionstagen, offenen Türen und Gesprächen ihre Angebote für Familien, "
    "Alleinerziehende und Betriebe in der Region vor Ort"
)
OTHER_TEXT = (
    "Der Kreistag berät am Donnerstag über den Haushalt des kommenden Jahres, die Sanierung "
    "der Kreisstraßen und den Neubau der Berufsschule im Norden des Landkreises"
)


def _packed(shingled: frozenset[int]) -> bytes:
    packed = encode(shingled)
    assert isinstance(packed, bytes)
    return packed


def _candidate(seq: int, source_id: str, text: str) -> Candidate:
    return Candidate(seq, source_id, _packed(shingle_texts([text])[text].shingles))


def test_the_nearest_duplicate_is_the_most_similar_text_of_another_source() -> None:
    own = shingle_texts([JOINT_TEXT])[JOINT_TEXT].shingles
    local = JOINT_TEXT + " Im Landkreis Görlitz beraten wir zusätzlich am Samstag."
    candidates = [
        _candidate(1, "uckermark", OTHER_TEXT),
        _candidate(2, "goerlitz", local),
        _candidate(3, "spree-neisse", JOINT_TEXT),
    ]
    found = nearest("oder-spree", own, candidates)
    assert found is not None and found.candidate.seq == 3 and found.score == 1.0
    found = nearest("oder-spree", own, candidates[:2])
    assert found is not None and found.candidate.seq == 2 and 0.45 <= found.score < 1.0


def test_no_nearest_duplicate_of_the_same_source_or_an_unlike_text() -> None:
    own = shingle_texts([JOINT_TEXT])[JOINT_TEXT].shingles
    assert nearest("spree-neisse", own, [_candidate(1, "spree-neisse", JOINT_TEXT)]) is None
    assert nearest("oder-spree", own, [_candidate(1, "uckermark", OTHER_TEXT)]) is None
