from datetime import date, timedelta
from pathlib import Path

import pytest

from aggregator.config.loader import load_config, parse_config
from aggregator.errors import ConfigError
from tests.helpers.configs import VALID, problems_of
from tests.paths import ROOT


def test_the_documented_example_is_valid():
    config = parse_config(VALID)
    source = config.source("spree-neisse")
    assert source.name == "Jobcenter Spree-Neiße"
    assert source.feeds == ("https://www.example-lk.de/presse/rss.xml",)
    assert source.pages[0].max_pages == 3
    assert config.interval(source) == timedelta(minutes=30)
    assert config.timeouts(source).total == 20 and config.timeouts(source).connect == 10
    campaign = config.campaigns[0]
    assert campaign.window is not None and campaign.window.start == date(2019, 8, 19)
    assert campaign.match.none == ("Aktionswoche Alkohol",)


def test_per_source_interval_overrides_the_default():
    config = parse_config(
        VALID.replace("    kind: landkreis\n", "    kind: landkreis\n    interval: 1h30m\n")
    )
    assert config.interval(config.sources[0]) == timedelta(hours=1, minutes=30)


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("    land: BB", "    land: XY", "16: [source spree-neisse]", "unknown land code 'XY'"),
        ("    kind: landkreis", "    kind: gemeinde", "17: [source spree-neisse]", "kind"),
        (
            "    homepage: https://www.example-lk.de/",
            "    homepage: ftp://x",
            "18: [source spree-neisse]",
            "not an http(s) URL",
        ),
        ("  interval: 30m", "  interval: 30 minutes", "3: defaults", "not a duration"),
        ("  interval: 30m", "  interval: 30m\n  workers: -1", "4: defaults", "workers"),
        (
            "    land: BB",
            "    land: BB\n    colour: red",
            "17: [source spree-neisse]",
            "unknown key 'sources.0.colour'",
        ),
        ("  - id: spree-neisse", "  - id: Spree Neisse", "13: [source Spree Neisse]", "not a slug"),
        ("    land: BB", "    land: BB\n    ags: 12071", "17: [source spree-neisse]", "in quotes"),
        (
            "    land: BB",
            '    land: BB\n    ags: "1207"',
            "17: [source spree-neisse]",
            "5 digits for a Kreis, 8 for a city",
        ),
        (
            "    land: BB",
            '    land: BB\n    ags: "09571"',
            "13: [source spree-neisse]",
            "belongs to BY, not to BB",
        ),
        (
            "    land: BB",
            "    land: BB\n    hints: [presse.html]",
            "17: [source spree-neisse]",
            "not an http(s) URL",
        ),
    ],
)
def test_problems_name_file_line_and_source(old, new, where, words):
    [problem] = problems_of(VALID.replace(old, new))
    assert problem.startswith(f"sources.yaml:{where}")
    assert words in problem


def test_every_problem_is_reported_at_once():
    text = (
        VALID
        + """\
  - id: spree-neisse
    name: "Doppelt"
    land: ZZ
    kind: landkreis
"""
    )
    problems = problems_of(text)
    assert any("sources.yaml:24:" in p and "unknown land code 'ZZ'" in p for p in problems)
    assert any("sources.yaml:22:" in p and "duplicate source id" in p for p in problems)


def test_bad_css_selector_is_a_config_error_with_its_line():
    text = VALID + '        items: "div[[["\n'
    [problem] = problems_of(text)
    assert problem.startswith("sources.yaml:22: [source spree-neisse]")
    assert "invalid CSS selector" in problem


def test_yaml_syntax_error_and_duplicate_keys_have_lines():
    [problem] = problems_of("version: 1\nsources: [\n")
    assert problem.startswith("sources.yaml:3:") and "not valid YAML" in problem
    [problem] = problems_of(VALID.replace("    land: BB\n", "    land: BB\n    land: BE\n"))
    assert problem.startswith("sources.yaml:17:") and "duplicate key 'land'" in problem


def test_campaign_window_and_rules_are_checked():
    problems = problems_of(VALID.replace("end: 2019-09-06", "end: 2019-08-01"))
    assert any("window ends" in p and ":8:" in p for p in problems)
    problems = problems_of(
        VALID.replace('      any: ["Aktionswoche", "Stark. Sozial. Vor Ort"]\n', "")
    )
    assert any("needs phrases" in p for p in problems)


def test_version_is_required():
    problems = problems_of(VALID.replace("version: 1\n", "version: 2\n"))
    assert any("version" in p for p in problems)


def test_missing_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert "file not found" in str(caught.value)


def test_bundled_sources_yaml_is_valid():
    config = load_config(ROOT / "sources.yaml")
    assert config.sources and config.campaigns
