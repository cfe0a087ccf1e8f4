"""The API described as OpenAPI 3.1, served at ``/api/openapi.json``.

Written out by hand: Starlette does not derive one, and the API is three
read-only endpoints. ``tests/test_web.py`` checks that every API route is
described here and that real answers carry the fields marked required.
"""

from __future__ import annotations

from ..domain.languages import LANGUAGES
from ..results import JsonObject
from ..validate import MAX_OFFSET, MAX_QUERY_CHARS
from .params import MAX_API_LIMIT, MAX_CONDITION_CHARS, MAX_FILTER_CHARS, MAX_FILTERS

_STR = {"type": "string"}
_INT = {"type": "integer"}


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: JsonObject, description: str) -> JsonObject:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "A bad parameter: the message and hint the CLI prints."),
    "503": _json(_ref("Error"), "The index cannot be read right now."),
}
_EXTRA = {"type": "object", "additionalProperties": _STR,
          "description": "The data file's other columns, {header: value} in the file's order "
                         "(every column of the index; \"\" where the record has no value)."}
_NO = {"name": "no", "in": "path", "required": True, "schema": {**_INT, "minimum": 0},
       "description": "The project's No."}


def _query(name: str, schema: JsonObject, description: str,
           required: bool = False) -> JsonObject:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def document(version: str) -> JsonObject:
    """The OpenAPI document of this server."""
    limit = {**_INT, "minimum": 1, "maximum": MAX_API_LIMIT}
    return {
        "openapi": "3.1.0",
        "info": {"title": "sagashi", "version": version,
                 "description": "Read-only search over grant-funded projects that support "
                                "residents with foreign roots in Japan. The answers have the "
                                "JSON shapes of the sagashi command's --json output."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search the projects (as `sagashi search --json`).",
                "parameters": [
                    _query("q", {**_STR, "maxLength": MAX_QUERY_CHARS},
                           "Words, a question, \"phrases\", AND/OR/NOT, -word, field:value.",
                           required=True),
                    _query("limit", {**limit, "default": 10}, "How many hits."),
                    _query("page", {**_INT, "minimum": 1, "default": 1},
                           f"Which page of `limit` hits; (page - 1) * limit is at most "
                           f"{MAX_OFFSET}."),
                    _query("pref", {**_STR, "maxLength": MAX_FILTER_CHARS},
                           "Only projects in this prefecture or region (東京都, 関西)."),
                    _query("entity", {**_STR, "maxLength": MAX_FILTER_CHARS},
                           "Only this legal entity type (特非, 一社)."),
                    {**_query("filter", {"type": "array", "maxItems": MAX_FILTERS,
                                         "items": {**_STR, "maxLength": MAX_CONDITION_CHARS}},
                              "Only projects whose kept column HEADER holds VALUE: "
                              "`HEADER=VALUE` (the whole value, width ignored), or for a "
                              "numeric column `HEADER>=N` (also `<=`, `>`, `<`), as "
                              "`sagashi search --filter`. Repeat it: every filter must "
                              "hold. A facet of a column names its HEADER and VALUEs. An "
                              "unknown column, or a comparison on a column that is not "
                              "numeric, is a 400 that lists the columns."),
                     "style": "form", "explode": True,
                     "examples": {"year": {"value": ["年度=2024"]},
                                  "amount": {"value": ["助成額>=1000000", "年度=2024"]}}},
                    _query("query_lang", {**_STR, "enum": list(LANGUAGES)},
                           "The language the query is written in, as `sagashi search "
                           "--lang`: " + ", ".join(f"{code} ({name})" for code, name in
                                                   LANGUAGES.items())
                           + ". Left out or empty: detected from its script and words. "
                           "The answer's `language` says which it was read in."),
                    _query("explain", {"type": "boolean", "default": False},
                           "Say which terms matched in which fields, and why."),
                ],
                "responses": {"200": _json(_ref("SearchResults"), "The hits, best first."),
                              **_ERRORS}}},
            "/api/projects/{no}": {"get": {
                "summary": "One project in full (as `sagashi show NO --json`).",
                "parameters": [_NO],
                "responses": {"200": _json(_ref("Project"), "The project."),
                              "404": _json(_ref("Error"), "No project has this No."),
                              **_ERRORS}}},
            "/api/projects/{no}/similar": {"get": {
                "summary": "The projects most like one (as `sagashi similar NO --json`).",
                "parameters": [_NO, _query("limit", {**limit, "default": 5}, "How many.")],
                "responses": {"200": _json(_ref("SearchResults"), "The similar projects."),
                              "404": _json(_ref("Error"), "No project has this No."),
                              **_ERRORS}}},
            "/api/openapi.json": {"get": {
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {}}}}}},
        },
        "components": {"schemas": {
            "SearchResults": {"type": "object", "required": ["query", "language", "total", "hits"],
                              "properties": {
                                  "query": _STR, "total": _INT,
                                  "hits": {"type": "array", "items": _ref("Hit")},
                                  "language": {**_STR, "enum": list(LANGUAGES),
                                               "description": "The language the query was "
                                                              "read in (chosen or detected)."},
                                  "facets": {"type": "object", "description":
                                             "Counts by prefecture (`prefecture`), by entity "
                                             "type (`entity`) and, named by its header, by "
                                             "each kept column with few values.",
                                             "additionalProperties": {
                                                 "type": "object",
                                                 "additionalProperties": _INT}}}},
            "Hit": {"type": "object",
                    "required": ["no", "score", "organization", "title", "location", "entity",
                                 "snippet", "spans", "extra"],
                    "properties": {
                        "no": _INT, "score": {"type": "number"}, "organization": _STR,
                        "title": _STR, "location": _STR, "entity": _STR, "snippet": _STR,
                        "spans": {"type": "array", "description":
                                  "[start, end) offsets of the matches in the snippet.",
                                  "items": {"type": "array", "items": _INT,
                                            "minItems": 2, "maxItems": 2}},
                        "extra": _EXTRA}},
            "Project": {"type": "object",
                        "required": ["no", "entity", "organization", "location", "title",
                                     "summary", "prefecture", "extra"],
                        "properties": {"no": _INT, "entity": _STR, "organization": _STR,
                                       "location": _STR, "title": _STR, "summary": _STR,
                                       "prefecture": _STR, "extra": _EXTRA}},
            "Error": {"type": "object", "required": ["error", "hint"],
                      "properties": {"error": _STR, "hint": _STR}},
        }},
    }
