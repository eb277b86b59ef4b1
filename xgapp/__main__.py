"""`python -m xgapp` is the same as the `xgapp` command."""

from xgapp.cli import main

if __name__ == "__main__":
    main()
