"""The SMTP edge against a real server on loopback: STARTTLS and TLS with a verified
certificate and a login, and each failure as one line that names the server."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from aggregator.config.schema import Mail
from aggregator.deliver.smtp import send_all
from aggregator.demo.loopback import free_port
from tests.mailserver import PASSWORD, USER, MailHandler, mail_server

SENDER = "Jobcenter-Monitor <monitor@presse.example>"


def message(to: str) -> EmailMessage:
    built = EmailMessage()
    built["Subject"], built["From"], built["To"] = "Aktionswoche in Görlitz", SENDER, to
    built.set_content("Grüße aus der Lausitz")
    return built


def settings(port: int, security: str = "none", **more: object) -> Mail:
    return Mail.model_validate(
        {"host": "127.0.0.1", "port": port, "security": security, "sender": SENDER} | more
    )


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_messages_go_out_encrypted_with_a_login(tmp_path, monkeypatch, security):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    with mail_server(tmp_path, security) as server:
        mail = settings(
            server.port,
            security,
            user=USER,
            password_env="TEST_SMTP_PASSWORD",
            ca_file=str(server.ca_file),
        )
        assert send_all(mail, [message("a@kreis.example"), message("b@kreis.example")]) == [
            None,
            None,
        ]
    assert [r.envelope_to for r in server.handler.received] == [
        ["a@kreis.example"],
        ["b@kreis.example"],
    ]
    assert server.handler.received[0].message.get_content().strip() == "Grüße aus der Lausitz"


def test_a_certificate_of_an_unknown_authority_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    with mail_server(tmp_path, "starttls") as server:
        mail = settings(server.port, "starttls", user=USER, password_env="TEST_SMTP_PASSWORD")
        [reason] = send_all(mail, [message("a@kreis.example")])
    assert reason is not None and "TLS failed" in reason and "CERTIFICATE_VERIFY_FAILED" in reason
    assert server.handler.received == []


def test_a_wrong_password_and_a_missing_one_are_said_plainly(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "falsch")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with mail_server(tmp_path, "starttls") as server:
        common = {"user": USER, "ca_file": str(server.ca_file)}
        wrong = settings(server.port, "starttls", password_env="TEST_SMTP_PASSWORD", **common)
        missing = settings(server.port, "starttls", password_env="NOT_SET_ANYWHERE", **common)
        [refused] = send_all(wrong, [message("a@kreis.example")])
        [unset] = send_all(missing, [message("a@kreis.example")])
    assert refused == f"SMTP 127.0.0.1:{server.port}: login refused (535)"
    assert unset == "the environment variable NOT_SET_ANYWHERE (mail.password_env) is not set"


def test_one_refused_recipient_does_not_stop_the_others(tmp_path):
    handler = MailHandler(refuse={"weg@kreis.example"})
    with mail_server(tmp_path, handler=handler) as server:
        results = send_all(
            settings(server.port), [message("weg@kreis.example"), message("da@kreis.example")]
        )
    assert results[1] is None
    assert results[0] is not None and "550" in results[0] and "Postfach unbekannt" in results[0]
    assert [r.envelope_to for r in handler.received] == [["da@kreis.example"]]


def test_a_server_that_is_not_there(tmp_path):
    port = free_port()
    [reason] = send_all(settings(port), [message("a@kreis.example")])
    assert reason == f"SMTP 127.0.0.1:{port}: cannot connect: Connection refused"
