"""`python -m bench cycle ARGS`: the aggregator's side of the benchmark, started the way
the `aggregator` command starts: from a main module that imports nothing. The worker
processes that parse pages import the main module again, so starting from
`python -m bench.cycle` would load the whole benchmark into each of them and
overstate their memory."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] != ["cycle"]:
        sys.exit("usage: python -m bench cycle --farm URL --db FILE --config FILE")
    del sys.argv[1]
    from bench.cycle import cli

    cli()
