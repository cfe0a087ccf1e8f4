"""What sagashi knows about its records and their world, independent of
Whoosh: the data files (:mod:`~sagashi.domain.records`, Excel workbooks
through :mod:`~sagashi.domain.excel`) and the roles of their columns
(:mod:`~sagashi.domain.columns`), the searchable fields
(:mod:`~sagashi.domain.fields`), places (:mod:`~sagashi.domain.places`),
legal entity types (:mod:`~sagashi.domain.entities`), the reviewed word
lists (:mod:`~sagashi.domain.lexicon`), the glossaries of residents'
languages (:mod:`~sagashi.domain.glossaries`) and their codes
(:mod:`~sagashi.domain.languages`), and where the bundled tables live
(:mod:`~sagashi.domain.resources`)."""
