"""The Russian (or any other) edition: English sources plus one translation file per lesson, assembled.

A translation file, ``course/translations/<language>/<lesson>.md``, holds every markdown cell of the English
source, keyed by its cell id, each under a marker with the first 10 hex digits of the SHA-1 of the English text it
translates::

    <!-- cell: ex1-intro · en: 3f2a9c01be -->
    ### Упражнение 1 (3 балла): ...

``build`` copies the English source notebook, replaces the text of every markdown cell by its translation and keeps
every code cell, cell id and nbgrader metadata as they are, so the same autograder grades both editions and the code
cannot drift. The result is an ordinary nbgrader source, ``course/solutions/<lesson>_<language>/``, released and
graded like the English one (``nbgrader generate_assignment 03_graphs_ru``).

``check`` reports what a translator has to do: cells with no translation, translations of text that has changed in
English since (the hash differs), and ids that no longer exist. ``template`` writes a file to start from.

    python -m course_tools.translate check ru          # what is missing or stale
    python -m course_tools.translate template ru 03_graphs
    python -m course_tools.translate build ru          # writes course/solutions/*_ru
"""

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat

COURSE = Path(__file__).resolve().parent.parent / "course"
LANGUAGES = {"ru": "Русский"}
_SCRIPTS = {"ru": "[А-Яа-яЁё]"}  # a translated cell with words in it has at least one letter of the language
_MARKER = re.compile(r"^<!-- cell: (?P<id>[\w.-]+) · en: (?P<hash>[0-9a-f]{10}) -->$", re.MULTILINE)


class TranslationError(ValueError):
    """A translation file that cannot be read: a malformed marker or a cell id given twice."""


def english_hash(text):
    """The short fingerprint of an English markdown cell that a translation records."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def english_lessons(course=COURSE):
    """The English lessons' names (folders of course/solutions without a language suffix)."""
    suffixes = tuple(f"_{lang}" for lang in LANGUAGES)
    return sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir() and not p.name.endswith(suffixes))


def source_path(lesson, course=COURSE):
    return course / "solutions" / lesson / f"{lesson}.ipynb"


def translation_path(language, lesson, course=COURSE):
    return course / "translations" / language / f"{lesson}.md"


def parse(text, where="translation"):
    """``{cell_id: (english_hash, translated_markdown)}`` from a translation file's text."""
    matches = list(_MARKER.finditer(text))
    loose = [line for line in text.splitlines() if line.startswith("<!-- cell:") and not _MARKER.match(line)]
    if loose:
        raise TranslationError(f"{where}: malformed marker {loose[0]!r}; expected '<!-- cell: <id> · en: <10 hex> -->'")
    cells = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        if m.group("id") in cells:
            raise TranslationError(f"{where}: cell {m.group('id')!r} is translated twice")
        cells[m.group("id")] = (m.group("hash"), text[m.end() : end].strip("\n"))
    return cells


def load(language, lesson, course=COURSE):
    path = translation_path(language, lesson, course)
    if not path.exists():
        return {}
    return parse(path.read_text(encoding="utf-8"), where=str(path))


def problems(language, lesson, course=COURSE):
    """Everything standing between this lesson's translation file and a complete, current edition."""
    nb = nbformat.read(source_path(lesson, course), as_version=4)
    return _problems(language, lesson, nb, load(language, lesson, course))


def _problems(language, lesson, nb, translated):
    found = []
    markdown_ids = set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        markdown_ids.add(cell.id)
        if cell.id not in translated:
            found.append(f"{lesson}: markdown cell {cell.id!r} has no translation")
            continue
        recorded, text = translated[cell.id]
        if not text.strip():
            found.append(f"{lesson}: the translation of cell {cell.id!r} is empty")
        elif language in _SCRIPTS and re.search("[A-Za-z]{3}", cell.source) and not re.search(_SCRIPTS[language], text):
            found.append(f"{lesson}: cell {cell.id!r} still reads as English (no {LANGUAGES[language]} text in it)")
        if recorded != english_hash(cell.source):
            found.append(
                f"{lesson}: cell {cell.id!r} changed in English since it was translated"
                f" (hash {recorded}, now {english_hash(cell.source)}): update the translation, then its hash"
            )
    for cell_id in sorted(set(translated) - markdown_ids):
        found.append(f"{lesson}: translation of cell {cell_id!r}, which is not a markdown cell of the English source")
    return found


def assemble(language, lesson, course=COURSE):
    """The translated source notebook: English code and metadata, translated markdown. Raises if incomplete."""
    nb = nbformat.read(source_path(lesson, course), as_version=4)
    translated = load(language, lesson, course)
    issues = _problems(language, lesson, nb, translated)
    if issues:
        raise TranslationError("cannot assemble an incomplete translation:\n  " + "\n  ".join(issues))
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = translated[cell.id][1]
        elif cell.get("id") == "setup":
            cell.source = set_language_in_setup(cell.source, language)
    out.metadata.setdefault("course", {})
    out.metadata["course"] = {**out.metadata["course"], "language": language, "translated_from": lesson}
    return out


TRACK_CALL = "selfcheck.track()"


def set_language_in_setup(source, language):
    """The setup cell's code with its ``selfcheck.track()`` told the edition's language, the one difference
    between an edition's code and the English code: the library's messages, figure labels and hints follow it."""
    if TRACK_CALL not in source:
        raise TranslationError(f"the setup cell does not call {TRACK_CALL}, so the edition cannot set its language")
    return source.replace(TRACK_CALL, f'selfcheck.track(language="{language}")', 1)


def edition_name(language, lesson):
    return f"{lesson}_{language}"


def build(language, lessons=None, course=COURSE):
    """Write ``course/solutions/<lesson>_<language>/<lesson>_<language>.ipynb`` for each lesson; returns the paths."""
    written = []
    for lesson in lessons or english_lessons(course):
        name = edition_name(language, lesson)
        path = course / "solutions" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbformat.writes(assemble(language, lesson, course)) + "\n", encoding="utf-8")
        written.append(path)
    return written


def template(language, lesson, course=COURSE):
    """A translation file to start from: every marker in place, the English text below it to be replaced."""
    nb = nbformat.read(source_path(lesson, course), as_version=4)
    parts = [f"<!-- {LANGUAGES.get(language, language)} translation of {lesson}: replace each cell's English text -->"]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(f"<!-- cell: {cell.id} · en: {english_hash(cell.source)} -->\n{cell.source}")
    return "\n\n".join(parts) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_tools.translate", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check", "build", "template"])
    parser.add_argument("language", choices=sorted(LANGUAGES))
    parser.add_argument("lessons", nargs="*", help="lesson names (default: all English lessons)")
    args = parser.parse_args(argv)
    lessons = args.lessons or english_lessons()
    if args.command == "template":
        for lesson in lessons:
            path = translation_path(args.language, lesson)
            if path.exists():
                print(f"{path} exists; not overwritten", file=sys.stderr)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template(args.language, lesson), encoding="utf-8")
            print(f"wrote {path}")
        return 0
    found = [p for lesson in lessons for p in problems(args.language, lesson)]
    for line in found:
        print(line)
    if args.command == "check":
        done = f"{len(lessons)} lesson(s): complete"
        print(f"{len(found)} problem(s) in {len(lessons)} lesson(s)" if found else done)
        return 1 if found else 0
    if found:
        print("not built: fix the problems above first", file=sys.stderr)
        return 1
    for path in build(args.language, lessons):
        print(f"wrote {path}")
    print(f"now release them: nbgrader generate_assignment <lesson>_{args.language} --force")
    return 0


if __name__ == "__main__":
    sys.exit(main())
