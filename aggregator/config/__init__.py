"""sources.yaml in, validated `Config` out: the schema (pydantic), the loader (YAML
with file and line in every error) and the presets, the vocabulary of listing markup.

Interface: `loader.load_config`/`parse_config`, `schema.Config`/`Source`/`PageTarget`/
`Campaign`, `presets.PRESETS`.
"""
