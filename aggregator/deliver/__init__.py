"""What leaves the service by e-mail: the digests' exactly-once delivery (`digests`) and
the SMTP edge (`smtp`). Composing a digest is pure and lives in publish."""
