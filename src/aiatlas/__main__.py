"""Run the aiatlas CLI with `python -m aiatlas` or `aiatlas`: the fast paths first, else the CLI."""
import sys

from aiatlas.fastpath import try_show


def main() -> None:
    """Answer a repeated `show` from its stored SQL, `check` with its own command; anything else
    goes to the full CLI."""
    if try_show(sys.argv[1:]):
        return
    # imported only here: loading the full CLI (Typer, Ibis, pandas, the registry) is the cost
    # avoided; `check` needs none of it (it answers from stored SQL templates, see lookup.py)
    if sys.argv[1:2] == ["check"]:
        from aiatlas.commands.check import main as check_main

        check_main(sys.argv[2:])
        return
    from aiatlas.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
