"""PyInstaller entry point: the executable is the `xgapp` command (no arguments = serve and open the browser)."""

import sys


def _utf8_output():
    """Output that a pipe or a file receives as UTF-8. A console window already takes any character, but on
    Windows a pipe or a redirect gets the ANSI code page (cp1252 on an English PC), which has no Chinese: the
    first message would end the server."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (AttributeError, ValueError):
                pass


if __name__ == "__main__":
    _utf8_output()
    from xgapp.cli import main

    main()
