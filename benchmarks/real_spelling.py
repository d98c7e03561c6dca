"""The spelling pass on real blogs: every automatic fix on a corpus of WordPress exports, judged by hand.

    PYTHONPATH=src python benchmarks/real_spelling.py CORPUS [CORPUS ...] [--projects DIR] [--unjudged FILE]

CORPUS is a WordPress export (``.xml``) or a folder of them (the project's corpus is
``/work/shared/corpus/wxr``).  Each export is imported with the defaults (``bookforge import
wordpress``) and the editorial pass is run on it as a build runs it (the edit stage only: no
EPUB, no PDF).  Every automatic fix (``typo_fixed``) is looked up in the verdict file,
``benchmarks/real-spelling-verdicts.tsv``, where a copy editor judged it once, by reading its
context: ``right``, ``wrong``, or ``code`` (a fix inside a command, a path, an identifier or any
other code, which is also wrong).  A fix is keyed by its blog, chapter, the word before and
after and the text around it, so when the engine changes only the fixes it makes anew need
judging: ``--unjudged FILE`` writes them, with ``?`` for a verdict, in the verdict file's
format.

Prints, per blog and in total: the fixes made, those judged wrong, precision over the judged
ones, how many are unjudged, the fixes inside code (judged ``code``, or standing in a ``code``
mark or a CODE block of the imported book), the fixes to headings (SUBHEAD blocks), and the
characters the typography pass reset inside a ``code`` mark.
``--projects DIR`` keeps each imported project in DIR and imports again only what is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bookforge import editorial, init, manifest, readers
from bookforge.importers import wordpress
from bookforge.model import BlockKind, Book

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = ROOT / "benchmarks" / "real-spelling-verdicts.tsv"
WINDOW = 40  # characters of the line on either side of the fixed word that identify a fix
JUDGEMENTS = ("right", "wrong", "code")
HEADER = "# verdict\tblog\tchapter\tbefore\tafter\tcontext (the fixed word in [[ ]])\n"


@dataclass(frozen=True)
class Fix:
    blog: str
    chapter: str
    before: str
    after: str
    context: str  # the words around the fixed one, the fixed one in [[ ]]

    @property
    def key(self) -> tuple[str, ...]:
        return self.blog, self.chapter, self.before, self.after, self.context

    def row(self, verdict: str) -> str:
        return "\t".join((verdict, *self.key)) + "\n"


def around(line: str, word: str, column: int | None = None) -> str:
    """The fixed word in its line (at ``column``, else where it first stands as a word), WINDOW characters either side,
    whitespace made single spaces."""
    if column is None or line[column:column + len(word)] != word:
        found = re.search(rf"(?<![\w’']){re.escape(word)}(?![\w’'])", line) or re.search(re.escape(word), line)
        if not found:
            return f"[[{word}]]"
        column = found.start()
    before = re.sub(r"\s+", " ", line[:column])[-WINDOW:]
    after = re.sub(r"\s+", " ", line[column + len(word):])[:WINDOW]
    return f"{before}[[{word}]]{after}"


def read_verdicts(path: Path) -> dict[tuple[str, ...], str]:
    verdicts = {}
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 6 or fields[0] not in (*JUDGEMENTS, "?"):
                sys.exit(f"{path}:{number}: a verdict line is: verdict (right, wrong or code), blog, chapter, before, "
                         "after, context, separated by tabs")
            if fields[0] != "?":
                verdicts[tuple(fields[1:])] = fields[0]
    return verdicts


def exports(corpus: list[Path]) -> list[Path]:
    found = []
    for path in corpus:
        found += sorted(path.glob("*.xml")) if path.is_dir() else [path]
    return found


def project_of(export: Path, projects: Path) -> Path | None:
    """The export imported with the defaults into ``projects/<its name>``; None when the import fails."""
    project = projects / export.stem
    if not (project / wordpress.REPORT_NAME).is_file():
        try:
            if not project.exists():
                init.create(project)  # as a new user does: bookforge init, then bookforge import
            wordpress.run(wordpress.ImportOptions(export, project))
        except Exception as exc:  # noqa: BLE001 (a blog that does not import is reported, the others measured)
            print(f"{export.name}: import failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            return None
    return project


def edited(project: Path) -> tuple[Book, editorial.Context]:
    """The imported book after the editorial pass, as a build's edit stage leaves it, and the pass's ledger."""
    spec = manifest.load(project)
    return editorial.edit(readers.read_book(spec), spec.editorial)


def places(book: Book) -> tuple[dict[tuple[str, int, str], tuple[bool, bool]], int]:
    """Where the edited book's fixes stand, by source line and word before the fix: (inside code -- a ``code``
    mark or a CODE block --, in a heading); and how many of the characters the typography pass reset stand in code."""
    found, typeset = {}, 0
    for block in _blocks(book):
        for mark in (m for m in block.marks if m.kind in ("fix", "type")):
            code = block.kind is BlockKind.CODE or any(
                m.kind == "code" and m.line == mark.line and m.start < mark.end and mark.start < m.end for m in block.marks)
            if mark.kind == "type":
                typeset += code
                continue
            where = block.line_source(mark.line)
            found[where.path, where.line, mark.value] = (code, block.kind is BlockKind.SUBHEAD)
    return found, typeset


def _blocks(book: Book):
    for chapter in book.chapters():
        yield from chapter.body
        yield from chapter.tail
        for comment in chapter.all_comments():
            yield from comment.blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="WordPress exports, or folders of them")
    parser.add_argument("--projects", type=Path, help="keep the imported projects here (imported once)")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS, help=f"the verdict file [{VERDICTS.relative_to(ROOT)}]")
    parser.add_argument("--unjudged", type=Path, help="write the fixes not yet judged here, in the verdict file's format")
    parser.add_argument("--show", choices=("wrong", "all"), help="print the fixes judged wrong, or every fix")
    args = parser.parse_args()
    verdicts = read_verdicts(args.verdicts)
    unjudged: list[Fix] = []
    totals = Counter()
    print(f"{'blog':<44}{'fixes':>6}{'wrong':>6}{'precision':>10}{'unjudged':>9}{'in code':>8}{'headings':>9}"
          f"{'typeset in code':>16}")
    with tempfile.TemporaryDirectory(prefix="bookforge-real-spelling-") as scratch:
        for export in exports(args.corpus):
            project = project_of(export, args.projects or Path(scratch))
            if project is None:
                continue
            book, ledger = edited(project)
            where, typeset = places(book)
            counts = Counter(typeset=typeset)
            for change in ledger.changes:
                if change.kind != "typo_fixed":
                    continue
                fix = Fix(export.stem, change.chapter, change.before, change.after,
                          around(change.context, change.before, getattr(change, "column", None)))
                verdict = verdicts.get(fix.key)
                counts["fixes"] += 1
                counts[verdict or "unjudged"] += 1
                if verdict is None:
                    unjudged.append(fix)
                code, heading = where.get((change.source.path, change.source.line, change.before), (False, False))
                counts["in code"] += code or verdict == "code"
                counts["headings"] += heading
                if args.show == "all" or args.show == "wrong" and verdict in ("wrong", "code"):
                    print(f"  {verdict or '?':<6} {change.before} -> {change.after}: {fix.context}")
            _row(export.stem, counts)
            totals.update(counts)
    _row("all", totals)
    if args.unjudged:
        args.unjudged.write_text(HEADER + "".join(dict.fromkeys(f.row("?") for f in unjudged)), encoding="utf-8")
        print(f"wrote {len(unjudged)} unjudged fixes to {args.unjudged}")


def _row(name: str, c: Counter) -> None:
    judged = c["right"] + c["wrong"] + c["code"]
    precision = f"{c['right'] / judged:.3f}" if judged else "-"
    print(f"{name:<44}{c['fixes']:>6}{c['wrong'] + c['code']:>6}{precision:>10}{c['unjudged']:>9}"
          f"{c['in code']:>8}{c['headings']:>9}{c['typeset']:>16}", flush=True)


if __name__ == "__main__":
    main()
