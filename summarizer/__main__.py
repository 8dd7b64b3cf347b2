"""``python -m summarizer`` is the ``summarizer`` command."""

from summarizer.cli import main

main()
