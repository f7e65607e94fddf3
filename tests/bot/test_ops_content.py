"""`content check`: what it finds wrong, from content changed in memory."""

from __future__ import annotations

import io
from dataclasses import replace

from bot.ops import content as contentcli
from content import load_all


def test_real_content_has_no_problems() -> None:
    assert contentcli.problems(load_all()) == []


def test_check_prints_a_line_per_language_and_ok() -> None:
    out = io.StringIO()
    assert contentcli.check(out) == 0
    assert out.getvalue().splitlines()[-1] == "content check: ok"


def test_a_first_card_section_too_long_for_a_caption_is_reported() -> None:
    contents = dict(load_all())
    zh = contents["zh"]
    long = replace(zh.techniques[0], what="很长" * 600)
    contents["zh"] = replace(zh, techniques=(long, *zh.techniques[1:]))
    found = contentcli.problems(contents)
    assert any(p.startswith(f"zh: caption of technique {long.id}") for p in found), found


def test_broken_html_in_a_tip_is_reported() -> None:
    contents = dict(load_all())
    en = contents["en"]
    broken = replace(en.tips[3], text=en.tips[3].text.replace("</b>", "", 1))
    contents["en"] = replace(en, tips=(*en.tips[:3], broken, *en.tips[4:]))
    found = contentcli.problems(contents)
    assert any(p.startswith(f"en: tip {broken.id}") for p in found), found
