"""Run the aiatlas CLI with `python -m aiatlas` or `aiatlas`: the fast path first, else the CLI."""
import sys

from aiatlas.fastpath import try_show


def main() -> None:
    """Answer a repeated `show` from its stored SQL; anything else goes to the full CLI."""
    if try_show(sys.argv[1:]):
        return
    # imported only here: loading the full CLI (Typer, Ibis, the registry) is the cost avoided
    from aiatlas.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
