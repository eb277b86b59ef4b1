"""PyInstaller entry point: the executable is the `xgapp` command (no arguments = serve and open the browser)."""

from xgapp.cli import main

if __name__ == "__main__":
    main()
