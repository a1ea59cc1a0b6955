"""Full-text search in Chinese: one interface, a backend per database.

Chinese has no spaces between words and most of its words are two characters long (噪音,
停车, 物业), so the index is of character n-grams, not of words:

- **SQLite**: an FTS5 table with the trigram tokenizer, kept by triggers as an external-content
  index of the model's text fields. A term of three characters or more is a `MATCH`; FTS5's
  trigrams cannot find a two-character term, which is matched by `LIKE` (a scan of the rows
  the other terms left, of the whole table when every term is that short: SQLite serves the
  single-box install, where that is a few thousand rows).
- **PostgreSQL**: a side table `<table>_search(id, grams text[])` with a GIN index, filled
  by a trigger with the text's character bigrams (`minxin_bigrams`, the same as `bigrams`
  below). A term's bigrams must all be there, then `LIKE` checks the term itself on that
  short list — while it is short (CANDIDATE_LIMIT): a common word's candidates are many
  thousands of rows to read, and the caller's order (newest first, by its index) meets a page
  of matches within a few hundred rows, so past the limit the rows are checked in that order
  with `LIKE` alone. pg_trgm was measured and not taken: it cuts trigrams from whole "words", and a
  run of Chinese characters is one word to it, so a two-character term inside a sentence
  gives it no trigram to look up (the whole index is scanned).

The query is the same everywhere: the words typed, split on white space; every term must
appear in one of the fields (AND); each term at least two characters (`SearchQuery.parse`
says so in Chinese). Ranking: appeals whose title holds every term first, then the caller's
order (newest first) — only while the matches are few (`few_matches`, at most RANK_LIMIT):
ranking reads every match, and a common word (小区) matches a sixth of a million appeals, so
past the bound the caller's order alone serves the page from its index. `highlight` and
`snippet` mark the terms in escaped text.

The index is made by the migration operation `SearchIndex("model", fields=[...])`;
`search_filter(queryset, query, fields=...)` narrows a queryset of that model.
"""

# ruff: noqa: S608 - SQL built from the models' own table and field names, quoted; values bound
import json
import re
from dataclasses import dataclass
from string import Template
from typing import Any, Final, TypeVar, cast

from django.db import connection, connections, models
from django.db.migrations.operations.base import Operation
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minxin.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)

MIN_TERM: Final = 2
RANK_LIMIT: Final = 1000  # matches ranked title-first at most; more are in the caller's order
# Index candidates a PostgreSQL search reads at most before it walks the caller's order instead
CANDIDATE_LIMIT: Final = 5000
# The mark (an alias, never selected) of a PostgreSQL search that walks the caller's order
WALKS: Final = "search_walks_the_order"
# The mark of one that read its candidates from the index: how many (at least the matches)
CANDIDATES: Final = "search_candidates"
MAX_TERMS: Final = 6
MAX_LENGTH: Final = 100

_SPACE: Final = re.compile(r"\s")


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | None) -> "SearchQuery":
        """The words typed, each a term; a Chinese message for what cannot be searched."""
        text = (text or "").strip()
        if len(text) > MAX_LENGTH:
            raise ValidationFailed(f"搜索内容最多 {MAX_LENGTH} 个字")
        terms: list[str] = []
        for term in text.split():
            if term.casefold() not in {t.casefold() for t in terms}:
                terms.append(term)
        if not terms:
            raise ValidationFailed("请输入要搜索的词")
        short = [t for t in terms if len(t) < MIN_TERM]
        if short:
            raise ValidationFailed(
                f"每个搜索词至少 {MIN_TERM} 个字（“{short[0]}”太短），可以多输入几个字"
            )
        if len(terms) > MAX_TERMS:
            raise ValidationFailed(f"最多同时搜索 {MAX_TERMS} 个词")
        return cls(tuple(terms))


def bigrams(text: str) -> list[str]:
    """The text's character bigrams, lower-cased, none across white space: Python's twin of
    PostgreSQL's `minxin_bigrams` (tests/core/test_search.py keeps them equal)."""
    grams: list[str] = []
    previous = " "
    for char in _SPACE.sub(" ", text.lower()):
        if char != " " and previous != " ":
            grams.append(previous + char)
        previous = char
    return grams


# --- the index: the migration operation ------------------------------------------------------

PG_FUNCTION: Final = r"""
CREATE OR REPLACE FUNCTION minxin_bigrams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    grams text[] := '{}';
    previous text := ' ';
    ch text;
BEGIN
    FOREACH ch IN ARRAY string_to_array(regexp_replace(lower(t), '\s', ' ', 'g'), NULL) LOOP
        IF ch <> ' ' AND previous <> ' ' THEN
            grams := grams || (previous || ch);
        END IF;
        previous := ch;
    END LOOP;
    RETURN grams;
END $$;
"""


# The trigger function that keeps a table's side table (a Template: names are ours, quoted).
PG_SYNC: Final = Template("""CREATE FUNCTION $sync() RETURNS trigger LANGUAGE plpgsql AS $$$$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM $side WHERE id = OLD.id;
    ELSE
        INSERT INTO $side (id, grams) VALUES (NEW.id, minxin_bigrams($document))
        ON CONFLICT (id) DO UPDATE SET grams = EXCLUDED.grams;
    END IF;
    RETURN NULL;
END $$$$""")


def index_table(table: str) -> str:
    return f"{table}_search"


def _pg_document(fields: list[str], row: str) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{connection.ops.quote_name(f)}, '')" for f in fields)


# The statistics kept of each searched field: a common word is checked row by row in the list's
# order, which the planner chooses only when it expects many rows to hold the word. It reads
# that from the field's histogram (it tries `LIKE` on each of its values): 100 values (the
# default) put 电梯, in 2 % of the appeals, anywhere from 0 % to 5 %, and at 0 % it sorted the
# whole table instead (measured, bench/README.md "search"); 1,000 values keep it near 2 %.
PG_STATISTICS: Final = 1000


def pg_statistics(table: str, fields: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    columns = ", ".join(f"ALTER COLUMN {quote(f)} SET STATISTICS {PG_STATISTICS}" for f in fields)
    return [f"ALTER TABLE {quote(table)} {columns}", f"ANALYZE {quote(table)}"]


def _pg_create(table: str, fields: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    side, sync = quote(index_table(table)), quote(f"{table}_search_sync")
    changed = " OR ".join(f"OLD.{quote(f)} IS DISTINCT FROM NEW.{quote(f)}" for f in fields)
    return [
        PG_FUNCTION,
        f"CREATE TABLE {side} (id bigint PRIMARY KEY, grams text[] NOT NULL)",
        f"INSERT INTO {side} (id, grams) "  # names are ours  # nosec B608
        f"SELECT t.id, minxin_bigrams({_pg_document(fields, 't')}) FROM {quote(table)} t",
        f"CREATE INDEX {quote(table + '_search_grams')} ON {side} USING gin (grams)",
        PG_SYNC.substitute(sync=sync, side=side, document=_pg_document(fields, "NEW")),
        f"CREATE TRIGGER {quote(table + '_search_sync_insert')} AFTER INSERT OR DELETE "
        f"ON {quote(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {sync}()",
        f"CREATE TRIGGER {quote(table + '_search_sync_update')} AFTER UPDATE ON {quote(table)} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {sync}()",
        # Django's test flush truncates the model's table: the index follows.
        f"""CREATE FUNCTION {quote(table + "_search_truncate")}() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {side}; RETURN NULL; END $$""",
        f"CREATE TRIGGER {quote(table + '_search_truncate')} AFTER TRUNCATE ON {quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {quote(table + '_search_truncate')}()",
        f"ANALYZE {side}",
        *pg_statistics(table, fields),
    ]


def _pg_drop(table: str) -> list[str]:
    quote = connection.ops.quote_name
    return [
        f"DROP TRIGGER IF EXISTS {quote(table + '_search_truncate')} ON {quote(table)}",
        f"DROP TRIGGER IF EXISTS {quote(table + '_search_sync_update')} ON {quote(table)}",
        f"DROP TRIGGER IF EXISTS {quote(table + '_search_sync_insert')} ON {quote(table)}",
        f"DROP FUNCTION IF EXISTS {quote(table + '_search_truncate')}()",
        f"DROP FUNCTION IF EXISTS {quote(table + '_search_sync')}()",
        f"DROP TABLE IF EXISTS {quote(index_table(table))}",
    ]


def _sqlite_create(table: str, fields: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    fts, base = quote(index_table(table)), quote(table)
    names = ", ".join(quote(f) for f in fields)
    new = ", ".join(f"new.{quote(f)}" for f in fields)
    old = ", ".join(f"old.{quote(f)}" for f in fields)
    into = f"INSERT INTO {fts}"  # names are ours  # nosec B608
    delete = f"{into} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert = f"{into} (rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content={base}, content_rowid='id', "
        "tokenize='trigram')",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",  # names are ours  # nosec B608
        f"CREATE TRIGGER {quote(table + '_search_ai')} AFTER INSERT ON {base} BEGIN {insert} END",
        f"CREATE TRIGGER {quote(table + '_search_ad')} AFTER DELETE ON {base} BEGIN {delete} END",
        f"CREATE TRIGGER {quote(table + '_search_au')} AFTER UPDATE OF {names} ON {base} "
        f"BEGIN {delete} {insert} END",
    ]


def _sqlite_drop(table: str) -> list[str]:
    quote = connection.ops.quote_name
    return [
        *(f"DROP TRIGGER IF EXISTS {quote(table + s)}" for s in ("_search_ai", "_search_ad")),
        f"DROP TRIGGER IF EXISTS {quote(table + '_search_au')}",
        f"DROP TABLE IF EXISTS {quote(index_table(table))}",
    ]


class SearchIndex(Operation):
    """`SearchIndex("appeal", fields=["title", "content"])`: the model's text fields indexed
    for `search_filter` (module docstring), kept in step by triggers."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {"fields": self.fields})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no model changes: the index lives beside the table

    def _run(self, schema_editor: Any, statements: list[str]) -> None:
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def _table(self, app_label: str, state: Any) -> str:
        return str(state.apps.get_model(app_label, self.model_name)._meta.db_table)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table = self._table(app_label, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            self._run(schema_editor, _pg_create(table, self.fields))
        elif vendor == "sqlite":
            self._run(schema_editor, _sqlite_create(table, self.fields))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table = self._table(app_label, from_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            self._run(schema_editor, _pg_drop(table))
        elif vendor == "sqlite":
            self._run(schema_editor, _sqlite_drop(table))

    def describe(self) -> str:
        return f"Full-text search index on {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_search"


class SearchIndexRemade(SearchIndex):
    """At the end of a migration that makes SQLite remake the table (altering a column does: a
    new table is copied and renamed, and the old one's triggers go with it), the SQLite index
    made again with its triggers. Nothing on PostgreSQL, whose ALTER TABLE keeps them. Going
    back, nothing: the reversed operations remake the table after this one."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "sqlite":
            table = self._table(app_label, to_state)
            self._run(schema_editor, [*_sqlite_drop(table), *_sqlite_create(table, self.fields)])

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def describe(self) -> str:
        return f"Full-text search index on {self.model_name} made again after a table remake"


# --- the query ---------------------------------------------------------------------------


def _holds(term: str, fields: list[str]) -> Q:
    """The rows with `term` in one of the fields, ignoring case only where the term has letters
    with a case: a Chinese term is matched as written, which spares the database upper-casing
    every row's whole text (the costliest part of checking a row, measured)."""
    lookup = "icontains" if term.lower() != term.upper() else "contains"
    either = Q()
    for field in fields:
        either |= Q(**{f"{field}__{lookup}": term})
    return either


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term_q(model: type[models.Model], term: str, fields: list[str]) -> Q:
    """The rows holding `term` in one of the fields: the index narrows, `LIKE` decides."""
    side = connection.ops.quote_name(index_table(model._meta.db_table))
    either = _holds(term, fields)
    if connection.vendor == "postgresql":
        found = RawSQL(f"SELECT id FROM {side} WHERE grams @> %s::text[]", [bigrams(term)])  # noqa: S611 - bound  # nosec B611 B608
        return Q(pk__in=found) & either
    if connection.vendor == "sqlite" and len(term) >= 3:
        found = RawSQL(f"SELECT rowid FROM {side} WHERE {side} MATCH %s", [_fts_phrase(term)])  # noqa: S611 - bound  # nosec B611 B608
        return Q(pk__in=found) & either
    return either


def search_filter(queryset: QuerySet[M], query: SearchQuery, *, fields: list[str]) -> QuerySet[M]:
    """The rows in which every term appears in one of the fields (indexed, module docstring)."""
    model = queryset.model
    if connection.vendor != "postgresql":
        for term in query.terms:
            queryset = queryset.filter(_term_q(model, term, fields))
        return queryset
    # PostgreSQL: the index's candidates (every term's bigrams), while they are few; then each
    # term whole (`LIKE`) on those rows.
    ids = _candidates(queryset, query)
    if ids is not None:
        found = RawSQL("SELECT unnest(%s::bigint[])", [ids])  # nosec B611 - bound
        queryset = queryset.filter(pk__in=found).alias(**{CANDIDATES: Value(len(ids))})
    else:
        queryset = queryset.alias(**{WALKS: Value(True)})  # few_matches reads it
    # More candidates than that: a common word (小区 is in a sixth of the appeals). Reading
    # them all from the index costs more than walking the caller's order (its own index) and
    # checking each row: a page of matches is found within a few hundred rows.
    for term in query.terms:
        queryset = queryset.filter(_holds(term, fields))
    return queryset


def search_any(queryset: QuerySet[M], terms: list[str], *, fields: list[str]) -> QuerySet[M]:
    """The rows holding at least one of the terms (each at least MIN_TERM long), annotated
    with `search_hits`: how many of the terms each holds (rank by it)."""
    terms = [t for t in dict.fromkeys(terms) if len(t) >= MIN_TERM][: MAX_TERMS * 2]
    if not terms:
        return queryset.none()
    model = queryset.model
    anyone = Q()
    hits: Any = Value(0)
    for term in terms:
        anyone |= _term_q(model, term, fields)
        hits = hits + Case(When(_holds(term, fields), then=Value(1)), default=Value(0))
    found = queryset.filter(anyone).annotate(
        search_hits=models.ExpressionWrapper(hits, output_field=models.IntegerField())
    )
    return cast("QuerySet[M]", found)


def _grams_sql(queryset: QuerySet[Any], query: SearchQuery) -> tuple[str, list[Any]]:
    """The ids of the queryset's model whose index holds every bigram of the query."""
    side = connection.ops.quote_name(index_table(queryset.model._meta.db_table))
    grams = sorted({g for term in query.terms for g in bigrams(term)})
    return f"SELECT id FROM {side} WHERE grams @> %s::text[]", [grams]  # nosec B608 - ours


def _candidates(queryset: QuerySet[Any], query: SearchQuery) -> list[int] | None:
    """PostgreSQL: the ids of the rows holding every bigram of the query, or None when they
    are more than CANDIDATE_LIMIT. Whether they are, the planner's estimate says first (its
    statistics of the bigrams, no row read): asked for a common word's first CANDIDATE_LIMIT
    rows, the database would check them one by one."""
    sql, params = _grams_sql(queryset, query)
    if _plan_rows(queryset.db, sql, params) > CANDIDATE_LIMIT:
        return None
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, CANDIDATE_LIMIT + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= CANDIDATE_LIMIT else None


def few_matches(queryset: QuerySet[Any], limit: int | None = None) -> bool:
    """Whether the queryset holds at most `limit` (RANK_LIMIT) rows: few enough to rank. The
    count stops at limit + 1 rows, whatever the number of matches. On PostgreSQL no count at
    all when the planner expects more than `limit` (ranking is a courtesy: a wrong guess only
    leaves the list newest first), nor when a common word was searched (WALKS): its matches
    are found by walking the list's order, and ranking them means finding them all (a unit's
    few matches of a common word lie anywhere in the table). A search that read its
    candidates from the index (CANDIDATES) is decided by their number, a bound of the
    matches: no plan, no count (each would check every candidate again)."""
    limit = RANK_LIMIT if limit is None else limit
    if connection.vendor == "postgresql":
        annotations = queryset.query.annotations
        if WALKS in annotations:
            return False
        if CANDIDATES in annotations:
            return bool(cast(Value, annotations[CANDIDATES]).value <= limit)
        if _estimate(queryset.order_by()) > limit:
            return False  # the planner expects more: counting them would check every row
    return queryset.order_by()[: limit + 1].count() <= limit


def _plan_rows(db: str, sql: str, params: list[Any]) -> int:
    """The rows PostgreSQL's planner expects the query to return (planned, not run)."""
    with connections[db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _estimate(queryset: QuerySet[Any]) -> int:
    """The rows PostgreSQL's planner expects the queryset to hold (planned, not run)."""
    if queryset.query.is_empty():
        return 0  # .none(): Django sends no query at all, so there is no plan to read
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return _plan_rows(queryset.db, sql, list(params))


def title_first(query: SearchQuery, *, field: str = "title") -> Case:
    """0 for the rows whose `field` holds every term, 1 for the others: order by it first."""
    whole = Q()
    for term in query.terms:
        whole &= _holds(term, [field])
    return Case(When(whole, then=Value(0)), default=Value(1), output_field=models.IntegerField())


# --- showing the hits ---------------------------------------------------------------------


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(terms, key=len, reverse=True)  # the longer term wins an overlap
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def highlight(text: str, query: SearchQuery | None) -> SafeString:
    """The text escaped, each term found in it wrapped in <mark>."""
    if not query:
        return mark_safe(escape(text))  # noqa: S308 - escaped just before  # nosec B308 B703
    parts: list[str] = []
    last = 0
    for hit in _pattern(query.terms).finditer(text):
        parts.append(escape(text[last : hit.start()]))
        parts.append(f"<mark>{escape(hit.group())}</mark>")
        last = hit.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above  # nosec B308 B703


def snippet(text: str, query: SearchQuery | None, *, width: int = 80) -> SafeString:
    """About `width` characters of the text around the first term found, highlighted; the
    text's start when no term is in it."""
    text = " ".join(text.split())
    hit = _pattern(query.terms).search(text) if query else None
    start = max(0, hit.start() - width // 4) if hit else 0
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + highlight(piece, query) + suffix)  # noqa: S308 - escaped  # nosec B308 B703
