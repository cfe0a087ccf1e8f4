"""The ``sagashi`` command line: :mod:`~sagashi.cli.main` parses and runs
commands, :mod:`~sagashi.cli.render` turns results into text, and
:mod:`~sagashi.cli.progress` draws progress bars on stderr."""
