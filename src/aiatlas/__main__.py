"""Run the aiatlas CLI with `python -m aiatlas`."""
from aiatlas.cli import main

main()
