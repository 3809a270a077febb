"""Checks SQL examples as Athena (engine version 3, Trino) syntax with sqlglot's Athena dialect, without Athena.

The guides' queries run in DuckDB (guide_sql.py), which proves their results but not that Athena accepts
them: DuckDB takes syntax Athena refuses. sqlglot parses leniently too (it reads `x::int` or
`SELECT * EXCLUDE (a)` in its Athena dialect and rewrites them), so a query passes only if
1. it parses in the Athena dialect with errors raised,
2. every function it calls is one sqlglot knows (an unknown name, e.g. DuckDB's `list_transform`,
   parses as an anonymous function and fails), and
3. it already is, token for token (case aside), the SQL sqlglot's Athena generator writes for it, so any
   construct sqlglot had to rewrite into Athena's form fails. One equivalence is allowed: a typed literal
   `DATE '2026-03-01'` (or TIMESTAMP) is the generator's `CAST('2026-03-01' AS DATE)`; a final `;` is dropped.

Not proven: that Athena resolves the tables, columns and functions with these types, or returns these rows.

stdin: {"queries": [sql, ...]}
stdout: [[problem, ...], ...] (an empty list: the query passes)
"""

from __future__ import annotations

import json
import sys

from sqlglot import exp, parse_one
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.tokens import Token, TokenType

DIALECT = "athena"
TYPED_LITERALS = {TokenType.DATE: "DATE", TokenType.TIMESTAMP: "TIMESTAMP"}


def tokens_of(sql: str) -> list[tuple[str, str]]:
    tokens: list[Token] = Dialect.get_or_raise(DIALECT).tokenize(sql)
    if tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        tokens = tokens[:-1]
    canonical: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.token_type in TYPED_LITERALS and following is not None and following.token_type == TokenType.STRING:
            literal = following.text
            canonical += [
                ("VAR", "CAST"),
                ("L_PAREN", "("),
                ("STRING", literal),
                ("ALIAS", "AS"),
                (token.token_type.name, TYPED_LITERALS[token.token_type]),
                ("R_PAREN", ")"),
            ]
            i += 2
            continue
        canonical.append(
            (
                token.token_type.name,
                token.text if token.token_type == TokenType.STRING else token.text.upper(),
            )
        )
        i += 1
    return canonical


def problems_of(sql: str) -> list[str]:
    try:
        tree = parse_one(sql, read=DIALECT, error_level=ErrorLevel.RAISE)
        generated = tree.sql(DIALECT, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        return [f"not Athena SQL: {error}"]
    problems = [f"unknown function {name}" for name in sorted({node.name for node in tree.find_all(exp.Anonymous)})]
    written, canonical = tokens_of(sql), tokens_of(generated)
    if written != canonical:
        first = next(
            (i for i, (a, b) in enumerate(zip(written, canonical, strict=False)) if a != b),
            min(len(written), len(canonical)),
        )
        shown = " ".join(text for _, text in written[max(first - 3, 0) : first + 4])
        problems.append(f"not in Athena's form near '{shown}': sqlglot writes it as {generated}")
    return problems


def main() -> None:
    request = json.load(sys.stdin)
    json.dump([problems_of(sql) for sql in request["queries"]], sys.stdout)


if __name__ == "__main__":
    main()
