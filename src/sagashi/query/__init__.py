"""From query text to ranked hits.

- :mod:`~sagashi.query.syntax`: the query language (a repairing parser);
- :mod:`~sagashi.query.interpret`: words -> concepts with their forms;
- :mod:`~sagashi.query.kana`: kana typed for kanji, read by the index's readings;
- :mod:`~sagashi.query.expansions`: how much each kind of form counts;
- :mod:`~sagashi.query.plan`: concepts -> Whoosh queries;
- :mod:`~sagashi.query.filters`: ``--pref``, ``--entity`` and ``--filter``;
- :mod:`~sagashi.query.rank`: running a plan, in tiers;
- :mod:`~sagashi.query.advice`: what to try when a word matches nothing;
- :mod:`~sagashi.query.highlight`: snippets with matched spans;
- :mod:`~sagashi.query.explain`: why a document matched;
- :mod:`~sagashi.query.similar`: projects like a given one;
- :mod:`~sagashi.query.languages`: queries in residents' languages, read
  through their glossaries.
"""
