"""The students' self-check: outcomes of marked test cells recorded through IPython, summarised per exercise."""

import pytest

from mini_autograd import selfcheck


@pytest.fixture(autouse=True)
def _fresh():
    selfcheck.reset()
    yield
    selfcheck.reset()


def test_cells_without_the_marker_are_ignored():
    assert selfcheck.record("x = 1", None) is None
    assert selfcheck.results() == {}


def test_the_latest_run_of_a_cell_wins():
    selfcheck.record("# Checks for exercise 2 (part local)\nassert False", AssertionError("local gradient off"))
    selfcheck.record("# Checks for exercise 2 (part local)\nassert True", None)
    assert selfcheck.results() == {(2, "local"): None}


def test_summary_says_pass_fail_and_not_run(capsys):
    selfcheck.record("# Checks for exercise 1\n...", None)
    selfcheck.record("# Checks for exercise 2 (part a)\n...", None)
    selfcheck.record("# Checks for exercise 2 (part b)\n...", ValueError("dL_dw: expected 2.8, got 1.4\nmore"))
    verdicts = selfcheck.summary({1: 2, 2: 3, 3: 1})
    out = capsys.readouterr().out
    assert verdicts == {1: "pass", 2: "fail", 3: "not run"}
    assert "Self-check: 1 of 3 exercises pass" in out
    assert "Exercise 2 (3 points): a visible check fails (part b): ValueError: dL_dw: expected 2.8, got 1.4" in out
    assert "more" not in out  # only the first line of a message
    assert "Exercise 3 (1 point): checks not run yet" in out


def test_tracking_through_a_real_ipython_shell(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        # twice: still one hook; returns None so that the setup cell, which ends with it, displays nothing
        assert selfcheck.track() is None and selfcheck.track() is None
        shell.run_cell("def f(x):\n    return 2 * x")
        shell.run_cell("# Checks for exercise 1\nassert f(3) == 6")
        shell.run_cell("# Checks for exercise 2\nassert f(3) == 7, 'f(3) should be 7'")
        shell.run_cell("# Checks for exercise 3\nundefined_name")
        capsys.readouterr()
        assert selfcheck.summary({1: 1, 2: 1, 3: 1}) == {1: "pass", 2: "fail", 3: "fail"}
        out = capsys.readouterr().out
        assert "AssertionError: f(3) should be 7" in out and "NameError" in out
        assert len([cb for cb in shell.events.callbacks["post_run_cell"] if cb is selfcheck._after_cell]) == 1
    finally:
        InteractiveShell.clear_instance()


def test_the_summary_speaks_the_lessons_language(capsys):
    from mini_autograd.i18n import set_language

    selfcheck.reset()
    selfcheck.record("# Checks for exercise 1\n", None)
    selfcheck.record("# Checks for exercise 2\n", AssertionError("f(1)  OFF"))
    try:
        selfcheck.track(language="ru")
        selfcheck.summary({1: 2, 2: 5, 3: 1})
    finally:
        set_language("en")
        selfcheck.reset()
    out = capsys.readouterr().out
    assert "Самопроверка: 1 из 3 упражнений проходят видимые проверки." in out
    assert "Упражнение 2 (5 баллов): видимая проверка не проходит: AssertionError: f(1)  OFF" in out
    assert "Упражнение 3 (1 балл): проверки ещё не запускались" in out
