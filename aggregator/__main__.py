"""`python -m aggregator`, and the `aggregator` command.

The command line is imported only when it runs: worker processes (offload.py) import
the main module again, and should not pay for the whole application to parse pages.
"""


def main() -> None:
    from aggregator.cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
