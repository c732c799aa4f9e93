"""Highlighted findings and word diffs are built safely: only our own tags, everything else escaped."""

from __future__ import annotations

from types import SimpleNamespace

from advocacy.content.presentation import highlight, word_diff


def _finding(start, end, severity):
    return SimpleNamespace(start=start, end=end, severity=severity)


def test_overlapping_findings_are_cut_into_segments_showing_the_worse_severity():
    text = "abc def ghi"
    html = str(highlight(text, [_finding(0, 7, "warn"), _finding(4, 11, "block")]))
    assert html == (
        '<mark class="finding-warn" data-finding="1">abc </mark>'
        '<mark class="finding-block" data-finding="1 2">def</mark>'
        '<mark class="finding-block" data-finding="2"> ghi</mark>'
    )


def test_findings_without_a_span_or_with_a_bad_span_are_not_marked():
    html = str(highlight("<b>hi</b>", [_finding(None, None, "block"), _finding(5, 99, "warn")]))
    assert html == "&lt;b&gt;hi&lt;/b&gt;"


def test_the_word_diff_marks_removed_and_added_words_and_escapes_them():
    html = str(word_diff("Un taux <garanti> de 3 %", "Un taux <attractif> de 3 %"))
    assert "<del>&lt;garanti&gt;</del> <ins>&lt;attractif&gt;</ins>" in html
    assert html.startswith("Un taux ")


def test_the_word_diff_marks_a_run_of_changed_words_once_not_word_by_word():
    html = str(
        word_diff("Un taux garanti de 3 % sur le livret.", "Une offre attractive de 3 % sur le livret.")
    )
    assert html == "<del>Un taux garanti</del> <ins>Une offre attractive</ins> de 3 % sur le livret."


def test_the_word_diff_shows_added_and_removed_words_alone_and_keeps_line_breaks():
    assert str(word_diff("Le livret", "Le livret Relais\ndès aujourd'hui")) == (
        "Le livret <ins>Relais\ndès aujourd&#x27;hui</ins>"
    )
    removed = str(word_diff("Le livret Relais est là", "Le livret est là"))
    assert removed == "Le livret <del>Relais</del> est là"
    assert str(word_diff("Un\ndeux", "Un\ndeux")) == "Un\ndeux"
