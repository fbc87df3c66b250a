#!/usr/bin/env python
"""Django's manage.py for working in a checkout; `shixiao` is the same thing once installed."""

import sys

from shixiao.cli import main

if __name__ == "__main__":
    sys.exit(main(["manage.py", *sys.argv[1:]]))
