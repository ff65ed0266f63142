"""The `mail:` and `digests:` sections of sources.yaml: what they accept, and every
mistake as a problem with its line."""

from __future__ import annotations

from datetime import time

from aggregator.config.loader import parse_config
from tests.helpers.configs import VALID, problems_of

MAIL = """\
mail:
  host: smtp.kreis.example
  user: presse
  password_env: SMTP_PASSWORD
  sender: "Jobcenter-Monitor <monitor@kreis.example>"
"""


def with_digests(digests: str, mail: str = MAIL) -> str:
    return VALID + mail + "digests:\n" + digests


def test_a_digest_of_the_campaign_during_its_window():
    config = parse_config(
        with_digests(
            "  - id: team-aktionswoche\n"
            "    to: [presse@landkreistag.example, referat@staedtetag.example]\n"
            "    campaign: aktionswoche-2019\n"
            "    schedule: during-campaign\n"
            "    at: 18:30\n"  # YAML 1.1 reads this as 1110, minutes in base 60
        )
    )
    [digest] = config.digests
    assert digest.at == time(18, 30) and digest.schedule == "during-campaign"
    assert config.mail is not None and config.mail.effective_port == 587
    assert config.mail.security == "starttls"


def test_the_password_is_never_read_from_the_file():
    problems = problems_of(
        with_digests(
            "  - {id: team, to: [a@kreis.example]}\n",
            MAIL + "  password: hunter2\n",
        )
    )
    assert len(problems) == 1
    assert "sources.yaml:" in problems[0] and "password_env: SMTP_PASSWORD" in problems[0]
    assert "hunter2" not in problems[0]


def test_each_mistake_is_named_with_its_line():
    text = with_digests(
        "  - {id: team, to: [kein-postfach]}\n"
        "  - {id: land, to: [a@kreis.example], schedule: during-campaign}\n"
        "  - {id: team, to: [b@kreis.example], at: '25:00', day: caturday}\n"
    )
    problems = problems_of(text)
    lines = {p.split(":")[1] for p in problems}
    first = text.count("\n", 0, text.index("{id: team")) + 1
    assert any("not an e-mail address: 'kein-postfach'" in p for p in problems)
    assert any("'during-campaign' needs 'campaign: ID'" in p for p in problems)
    assert any("duplicate digest id 'team'" in p for p in problems)
    assert any("not a time of day: '25:00'" in p for p in problems)
    assert any("digests.2.day" in p and "'monday'" in p for p in problems)
    assert {str(first), str(first + 1), str(first + 2)} <= lines


def test_digests_need_a_mail_server_and_a_campaign_that_exists():
    text = with_digests(
        "  - {id: alt, to: [a@kreis.example], campaign: aktionswoche-1999}\n", mail=""
    )
    line = text.count("\n", 0, text.index("digests:")) + 1
    assert problems_of(text) == [
        f"sources.yaml:{line}: digests need a 'mail:' section: the SMTP server to send through",
        f"sources.yaml:{line + 1}: digest 'alt' names unknown campaign 'aktionswoche-1999'",
    ]


def test_the_public_url_is_an_address_without_query_or_final_slash() -> None:
    with_url = VALID.replace("version: 1\n", "version: 1\npublic_url: https://monitor.example/\n")
    assert parse_config(with_url).public_url == "https://monitor.example"
    assert parse_config(VALID).public_url is None
    for wrong in ("ftp://monitor.example", "https://monitor.example/?a=1", "monitor"):
        [problem] = problems_of(VALID.replace("version: 1\n", f"version: 1\npublic_url: {wrong}\n"))
        assert "sources.yaml:2" in problem and "public_url" in problem
