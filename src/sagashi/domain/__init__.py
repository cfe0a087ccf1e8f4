"""What sagashi knows about its records and their world, independent of
Whoosh: the data files and their columns (:mod:`~sagashi.domain.records`),
the searchable fields (:mod:`~sagashi.domain.fields`), places
(:mod:`~sagashi.domain.places`), legal entity types
(:mod:`~sagashi.domain.entities`), the reviewed word lists
(:mod:`~sagashi.domain.lexicon`) and where the bundled tables live
(:mod:`~sagashi.domain.resources`)."""
