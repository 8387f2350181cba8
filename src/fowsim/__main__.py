"""`python -m fowsim` runs the `fowsim` command."""

from fowsim.cli import main

main()
