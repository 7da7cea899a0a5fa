"""The Russian edition: assembled from the English sources and course/translations/ru/<lesson>.md, so the code,
the tests and the grade ids are the English ones, cell for cell, and every piece of prose is translated."""

from __future__ import annotations

import shutil

import nbformat
import nbgrader_helpers as H
import pytest

from course_tools import translate


@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_every_markdown_cell_is_translated_and_current(lesson):
    assert translate.translation_path("ru", lesson).exists(), f"no Russian translation file for {lesson}"
    assert translate.problems("ru", lesson) == []


@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_the_russian_source_is_what_the_translation_assembles(lesson):
    name = translate.edition_name("ru", lesson)
    committed = (H.SOURCES / name / f"{name}.ipynb").read_text(encoding="utf-8")
    assembled = nbformat.writes(translate.assemble("ru", lesson)) + "\n"
    assert committed == assembled, (
        f"run `python -m course_tools.translate build ru {lesson}` and regenerate the release"
    )


@pytest.mark.parametrize("lesson", H.ENGLISH)
def test_code_is_identical_and_only_prose_differs(lesson):
    english = H.read(H.SOURCES / lesson / f"{lesson}.ipynb")
    russian = H.read(H.SOURCES / f"{lesson}_ru" / f"{lesson}_ru.ipynb")
    assert [c.get("id") for c in russian.cells] == [c.get("id") for c in english.cells]
    for en, ru in zip(english.cells, russian.cells, strict=True):
        assert (ru.cell_type, ru.metadata) == (en.cell_type, en.metadata), en.get("id")
        if en.get("id") == "setup":  # the one difference: the library is told the edition's language
            assert ru.source == translate.set_language_in_setup(en.source, "ru"), f"{lesson}: setup cell differs"
            assert 'selfcheck.track(language="ru")' in ru.source
        elif en.cell_type == "code":
            assert ru.source == en.source, f"{lesson}: code cell {en.get('id')} differs"
        else:
            assert ru.source != en.source, f"{lesson}: markdown cell {en.get('id')} is not translated"
    assert russian.metadata["course"]["language"] == "ru"


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path):
    course = tmp_path / "course"
    lesson = H.ENGLISH[0]
    shutil.copytree(H.SOURCES / lesson, course / "solutions" / lesson)
    shutil.copytree(H.COURSE / "translations", course / "translations")
    path = course / "solutions" / lesson / f"{lesson}.ipynb"
    nb = H.read(path)
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    md.source += "\n\nA new sentence."
    nbformat.write(nb, str(path))
    found = translate.problems("ru", lesson, course=course)
    assert len(found) == 1 and f"cell {md.id!r} changed in English" in found[0]
    with pytest.raises(translate.TranslationError, match="incomplete translation"):
        translate.assemble("ru", lesson, course=course)


def test_a_missing_or_untranslated_cell_is_reported(tmp_path):
    course = tmp_path / "course"
    lesson = H.ENGLISH[0]
    shutil.copytree(H.SOURCES / lesson, course / "solutions" / lesson)
    (course / "translations" / "ru").mkdir(parents=True)
    text = translate.template("ru", lesson, course=course)  # every marker, English text under each
    first_marker_end = text.index("-->", text.index("<!-- cell:")) + 3
    second = text.index("<!-- cell:", first_marker_end)
    (course / "translations" / "ru" / f"{lesson}.md").write_text(text[second:])  # drop the first cell
    found = translate.problems("ru", lesson, course=course)
    assert any("has no translation" in p for p in found)
    assert any("still reads as English" in p for p in found)
