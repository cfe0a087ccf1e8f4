"""Building, changing and opening indexes.

- :mod:`~sagashi.index.build`: build / update / delete / stats, the library
  calls behind ``sagashi index``;
- :mod:`~sagashi.index.writer` and :mod:`~sagashi.index.parallel`: writing
  records into segments, in one process or several;
- :mod:`~sagashi.index.schema`: the Whoosh schema and record -> document;
- :mod:`~sagashi.index.storage`: the folder layout, generations, atomic
  swap, the write lock and the trust checks;
- :mod:`~sagashi.index.manifest`: what an index was built with;
- :mod:`~sagashi.index.searcher`: opening a generation for searching.
"""
