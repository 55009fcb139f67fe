"""`python -m sitroom`: the command line. The commands themselves live in loaders/ (they do I/O)."""

from loaders.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
