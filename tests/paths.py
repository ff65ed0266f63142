"""Where the tests' material lives, for test modules at any depth below tests/."""

from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SITES = TESTS / "sites"
