"""The language a lesson speaks: English by default, Russian in the Russian edition.

A lesson's code cells are the same in every edition (the Russian notebooks are assembled from the English ones), so
any text the code shows, a figure's title, a widget's label, a check's hint, carries both languages and picks one
when it is shown:

>>> from mini_autograd.i18n import tr, set_language
>>> tr("Loss against step", "Потери по шагам")
'Loss against step'
>>> set_language("ru"); tr("Loss against step", "Потери по шагам")
'Потери по шагам'
>>> set_language("en")

The language comes from the notebook's metadata: the Russian edition's setup cell calls
``selfcheck.track(language="ru")`` (``course_tools.translate`` writes that argument from the edition's metadata), and
that calls :func:`set_language`. Messages of the library itself (the checks' verdicts and hints, the self-check
summary, the widgets' labels) live in one catalogue, :data:`MESSAGES`, keyed by message and language.
"""

from __future__ import annotations

LANGUAGES = ("en", "ru")
_state = {"language": "en"}


def set_language(language: str) -> None:
    """Speak ``language`` ("en" or "ru") from now on in this kernel."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the course speaks {', '.join(LANGUAGES)}")
    _state["language"] = language


def language() -> str:
    """The language set by :func:`set_language` ("en" until then)."""
    return _state["language"]


def tr(en: str, ru: str | None = None) -> str:
    """``en`` or its Russian translation ``ru``, whichever the lesson speaks (English when ``ru`` is missing)."""
    return ru if _state["language"] == "ru" and ru else en


#: The library's own messages: ``{key: {"en": text, "ru": text}}``; texts are ``str.format`` templates.
MESSAGES: dict[str, dict[str, str]] = {
    # verdicts of a comparison
    "exact": {"en": "exact", "ru": "точно"},
    "close": {"en": "close", "ru": "близко"},
    "OFF": {"en": "OFF", "ru": "НЕВЕРНО"},
    "wrong shape": {"en": "wrong shape", "ru": "не та форма"},
    "missing": {"en": "missing", "ru": "нет значения"},
    "not a number": {"en": "not a number", "ru": "не число"},
    "max abs diff": {"en": "max abs diff {diff}", "ru": "макс. абс. разница {diff}"},
    "got expected": {"en": "got {got}, expected {want}", "ru": "у вас {got}, ожидалось {want}"},
    "first differing": {
        "en": "{n} of {total} entries differ, first at {where}",
        "ru": "отличаются {n} из {total} элементов, первые: {where}",
    },
    "entry": {"en": "{index}: got {got}, expected {want}", "ru": "{index}: у вас {got}, ожидалось {want}"},
    "nothing compared": {"en": "(nothing compared)", "ru": "(нечего сравнивать)"},
    "differ": {
        "en": "some results differ from the expected ones:",
        "ru": "некоторые результаты отличаются от ожидаемых:",
    },
    # hints
    "got None": {
        "en": "got None: did the function return its result (is there a `return`?), or did backward run?",
        "ru": "получено None: функция вернула результат (есть ли `return`?), и был ли вызван backward?",
    },
    "shape": {"en": "shape {got}, expected {want}", "ru": "форма {got}, ожидалась {want}"},
    "transposed": {
        "en": "your result is the transpose of the expected one: check which side of the product each factor goes "
        "on, and the shapes",
        "ru": "ваш результат транспонирован относительно ожидаемого: проверьте, с какой стороны произведения стоит "
        "каждый множитель, и формы",
    },
    "shape transposed": {
        "en": "shape {got}, expected {want}: transposed? Check the order of the factors",
        "ru": "форма {got}, ожидалась {want}: транспонировано? Проверьте порядок множителей",
    },
    "nan": {"en": "your result contains nan", "ru": "в вашем результате есть nan"},
    "inf": {
        "en": "your result contains inf: an overflow (exp of a large number?)",
        "ru": "в вашем результате есть inf: переполнение (exp большого числа?)",
    },
    "all zero": {
        "en": "all your values are 0 where the expected ones are not: no gradient arrived (an upstream gradient not "
        "multiplied in, a result not stored or not returned, a branch never taken?)",
        "ru": "все ваши значения равны 0, а ожидаемые нет: градиент не дошёл (не умножили на градиент сверху, не "
        "сохранили или не вернули результат, ветвь не выбрана?)",
    },
    "sign": {
        "en": "every value has the right size but the opposite sign: a flipped sign (a subtraction the wrong way "
        "round, or + where − belongs?)",
        "ru": "все значения правильные по модулю, но с обратным знаком: знак перепутан (вычитание не в том "
        "порядке или + вместо −?)",
    },
    "ratio": {
        "en": "every value is the expected one times {ratio}: a constant factor is wrong",
        "ru": "каждое значение равно ожидаемому, умноженному на {ratio}: неверный постоянный множитель",
    },
    "sum for mean": {
        "en": "every value is {batch} times the expected one, and the batch has {batch} examples: a sum over the "
        "batch where the mean was wanted (divide by the batch size)?",
        "ru": "каждое значение в {batch} раз(а) больше ожидаемого, а в батче {batch} примеров: сумма по батчу "
        "вместо среднего (разделите на размер батча)?",
    },
    "mean for sum": {
        "en": "every value is 1/{batch} of the expected one, and the batch has {batch} examples: divided by the "
        "batch size once too often?",
        "ru": "каждое значение составляет 1/{batch} ожидаемого, а в батче {batch} примеров: лишнее деление на "
        "размер батча?",
    },
    "mean over entries": {
        "en": "every value is 1/{n} of the expected one, and there are {n} entries: a mean over all entries where "
        "the batch mean (or a sum) was wanted?",
        "ru": "каждое значение составляет 1/{n} ожидаемого, а элементов {n}: среднее по всем элементам вместо "
        "среднего по батчу (или суммы)?",
    },
    "tampered": {
        "en": "the grading environment was modified by a notebook cell: {what} no longer point to the original "
        "functions. Remove the cell that replaces them and run the notebook again from the top (Kernel > Restart "
        "and Run All).",
        "ru": "ячейка блокнота изменила среду проверки: {what} больше не указывают на исходные функции. Удалите "
        "эту ячейку и выполните блокнот заново с начала (Kernel > Restart and Run All).",
    },
    # self-check
    "selfcheck off": {
        "en": "Self-check is off: run the setup cell at the top of the notebook first (it calls selfcheck.track()).",
        "ru": "Самопроверка выключена: сначала выполните ячейку настройки в начале блокнота (она вызывает "
        "selfcheck.track()).",
    },
    "selfcheck title": {
        "en": "Self-check: {passed} of {total} exercises pass their visible checks.",
        "ru": "Самопроверка: {passed} из {total} упражнений проходят видимые проверки.",
    },
    "selfcheck exercise": {"en": "Exercise {n} ({points} {unit})", "ru": "Упражнение {n} ({points} {unit})"},
    "point": {"en": "point", "ru": "балл"},
    "points": {"en": "points", "ru": "балла"},
    "points many": {"en": "points", "ru": "баллов"},
    "selfcheck not run": {"en": "checks not run yet", "ru": "проверки ещё не запускались"},
    "selfcheck fails": {
        "en": "a visible check fails{where}: {error}",
        "ru": "видимая проверка не проходит{where}: {error}",
    },
    "selfcheck part": {"en": " (part {part})", "ru": " (часть {part})"},
    "selfcheck pass one": {"en": "its visible check cell passes", "ru": "видимая проверочная ячейка пройдена"},
    "selfcheck pass": {
        "en": "{count} visible check cells pass",
        "ru": "видимых проверочных ячеек пройдено: {count}",
    },
    "selfcheck footer": {
        "en": "Hidden tests try other inputs when your notebook is graded: passing here is necessary, not sufficient.",
        "ru": "При оценке скрытые тесты проверяют другие входные данные: пройти здесь необходимо, но недостаточно.",
    },
}


def msg(key: str, **values: object) -> str:
    """The catalogue message ``key`` in the lesson's language, with ``values`` filled in."""
    entry = MESSAGES[key]
    return entry.get(_state["language"], entry["en"]).format(**values)
