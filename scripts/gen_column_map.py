"""Write docs/features.md: every column of ml_dataset and ml_dataset_enriched with its formula, the
model that computes it and the macros on the line that does.

    python scripts/gen_column_map.py           # rewrite docs/features.md
    python scripts/gen_column_map.py --check   # exit 1 when docs/features.md is out of date

Read from the sources, not kept by hand: the marts' columns and their warm-up (`meta.warm_up_rows`)
from their YAML, the formulas from the column docs blocks (models/intermediate/features/
_features__docs.md, which the YAML cites), and where each column is computed from the SQL that names it
(`… as <column>`, with Jinja in the name matching any value): first the feature and enrichment
macros (and the model that calls the macro), then the intermediate models, then ml_dataset itself.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "features.md"
MACRO_DIRS = ["macros/features", "macros/enrichment"]
MODEL_GLOBS = [
    "models/intermediate/features/*.sql",
    "models/intermediate/flows/*.sql",
    "models/intermediate/enrichment/*.sql",
]
OBSERVATIONS = ("int_price_observations", "models/intermediate/prices/int_price_observations.sql")
LAST_RESORT = "models/marts/ml_dataset.sql"
PYTHON_MODEL = ("int_features__extended", "models/intermediate/features/int_features__extended.py")
ALIAS = re.compile(r"\bas\s+((?:[A-Za-z0-9_]|\{\{[^}]*\}\})+)")
MACRO_DEF = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")
CALL = re.compile(r"\b(\w+)\(")
DOCS = ROOT / "models" / "intermediate" / "features" / "_features__docs.md"
DOC_BLOCK = re.compile(r"\{% docs col_(\w+) %\}\n(.*?)\n\{% enddocs %\}", re.DOTALL)


def formulas() -> dict[str, str]:
    """Each column's description, from its docs block, on one line."""
    return {name: " ".join(text.split()) for name, text in DOC_BLOCK.findall(DOCS.read_text())}


@dataclass
class Definition:
    model: str
    model_path: str
    macros: list[str]
    source: str = ""  # the file that names the column


def alias_pattern(alias: str) -> re.Pattern:
    alias = re.sub(r"\{\{[^}]*(['\"]|loop\.)[^}]*\}\}", "", alias)  # a separator's template, not part of the name
    parts = re.split(r"\{\{[^}]*\}\}", alias)
    return re.compile("^" + r"\w+".join(re.escape(p) for p in parts) + "$")


@cache
def macro_names() -> dict[str, str]:
    """Every project macro's name -> its file."""
    names = {}
    for path in sorted((ROOT / "macros").rglob("*.sql")):
        for m in MACRO_DEF.finditer(path.read_text()):
            names[m.group(1)] = str(path.relative_to(ROOT))
    return names


def aliases(path: Path):
    """(alias pattern, enclosing macro or None, macros called on the line) for each `as <name>` in a file."""
    text = path.read_text()
    defs = [(m.start(), m.group(1)) for m in MACRO_DEF.finditer(text)]
    offset = 0
    for line in text.splitlines(keepends=True):
        for m in ALIAS.finditer(line):
            if len(re.sub(r"\{\{[^}]*\}\}", "", m.group(1))) < 3:  # a name made of Jinja only matches anything
                continue
            enclosing = None
            for start, name in defs:
                if start <= offset + m.start():
                    enclosing = name
            yield alias_pattern(m.group(1)), enclosing, CALL.findall(line)
        offset += len(line)


@cache
def calling_model(macro: str) -> tuple[str, str]:
    for pattern in MODEL_GLOBS + [LAST_RESORT]:
        for path in sorted(ROOT.glob(pattern)):
            if re.search(r"\b" + macro + r"\(", path.read_text()):
                return path.stem, str(path.relative_to(ROOT))
    return "", ""


def definitions(columns: list[str]) -> dict[str, Definition]:
    known = macro_names()
    found: dict[str, Definition] = {}

    def claim(column: str, definition: Definition) -> None:
        """The first file to name a column defines it; its other lines naming it add their macros."""
        if column not in found:
            found[column] = definition
        elif found[column].model_path == definition.model_path and found[column].source == definition.source:
            found[column].macros += [m for m in definition.macros if m not in found[column].macros]

    observed = [
        c["name"]
        for m in yaml.safe_load((ROOT / "models/intermediate/_intermediate__models.yml").read_text())["models"]
        if m["name"] == OBSERVATIONS[0]
        for c in m["columns"]
    ]
    for c in columns:
        if c in observed:
            claim(c, Definition(*OBSERVATIONS, []))

    for folder in MACRO_DIRS:
        for path in sorted((ROOT / folder).glob("*.sql")):
            for pattern, enclosing, calls in aliases(path):
                for c in columns:
                    if enclosing and pattern.match(c):
                        model, model_path = calling_model(enclosing)
                        claim(
                            c,
                            Definition(
                                model,
                                model_path,
                                [enclosing] + [x for x in calls if x in known and x != enclosing],
                                f"{path}:{enclosing}",
                            ),
                        )
    for glob in MODEL_GLOBS:
        for path in sorted(ROOT.glob(glob)):
            for pattern, _, calls in aliases(path):
                for c in columns:
                    if pattern.match(c):
                        claim(
                            c,
                            Definition(
                                path.stem, str(path.relative_to(ROOT)), [x for x in calls if x in known], str(path)
                            ),
                        )
    python_columns = {
        c["name"]
        for m in yaml.safe_load((ROOT / "models/intermediate/features/_features__models.yml").read_text())["models"]
        if m["name"] == PYTHON_MODEL[0]
        for c in m["columns"]
    }
    for c in columns:
        if c in python_columns and c not in ("code", "date", "row_idx", "close", "high", "low"):
            claim(c, Definition(PYTHON_MODEL[0], PYTHON_MODEL[1], []))
    for pattern, _, calls in aliases(ROOT / LAST_RESORT):
        for c in columns:
            if pattern.match(c):
                claim(c, Definition("ml_dataset", LAST_RESORT, [x for x in calls if x in known], LAST_RESORT))
    return found


def mart_columns() -> list[tuple[str, list[dict]]]:
    """ml_dataset's columns and the ones ml_dataset_enriched adds, as their YAML entries."""
    marts = yaml.safe_load((ROOT / "models/marts/_marts__models.yml").read_text())["models"]
    by_name = {m["name"]: m.get("columns", []) for m in marts}
    dataset = by_name["ml_dataset"]
    names = {c["name"] for c in dataset}
    return [
        ("ml_dataset", dataset),
        ("ml_dataset_enriched", [c for c in by_name["ml_dataset_enriched"] if c["name"] not in names]),
    ]


def render() -> str:
    known = macro_names()
    lines = [
        "# The features: every column, its formula, where it is computed",
        "",
        "Generated by `scripts/gen_column_map.py` from the marts' YAML, the column descriptions and the",
        "SQL itself (`make docs`); the test suite fails when this file is out of date.",
        "Model: the model whose SQL computes the column (its file under `models/`). Macros: the macro",
        "that names the column, then the macros it calls on that line (files under `macros/`).",
        "Warm-up: the rows at the start of every code's history that have no value (NULL) because the",
        "column's windows are not full yet (— for none: a column from releases or flows has a value from",
        "the first day one is usable). The test suite checks them on a built warehouse.",
        "Price columns are split-adjusted; every window counts a code's observations (`row_idx`).",
        "",
    ]
    texts = formulas()
    for mart, entries in mart_columns():
        columns = [e["name"] for e in entries]
        warm_up = {e["name"]: (e.get("meta") or {}).get("warm_up_rows") for e in entries}
        found = definitions(columns)
        lines += [
            f"## {mart}" + (" (the columns it adds to ml_dataset)" if mart != "ml_dataset" else ""),
            "",
            "| Column | Formula | Warm-up | Model | Macros |",
            "|---|---|---|---|---|",
        ]
        for c in columns:
            d = found.get(c)
            model = f"[`{d.model}`](../{d.model_path})" if d and d.model else "—"
            macros = ", ".join(f"[`{m}`](../{known[m]})" for m in dict.fromkeys(d.macros)) if d and d.macros else "—"
            formula = texts.get(c, "").replace("|", "\\|")
            rows = f"{warm_up[c]} row{'s' if warm_up[c] > 1 else ''}" if warm_up[c] else "—"
            lines.append(f"| `{c}` | {formula} | {rows} | {model} | {macros} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/gen_column_map.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
