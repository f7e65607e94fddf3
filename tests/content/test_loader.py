"""The content loader: the real English content, and each kind of broken file it refuses."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import content as content_package
from content import Content, ContentError, Technique, Tip, load
from content.loader import COMMANDS, MAX_COMMAND_DESCRIPTION, MAX_TIP_LENGTH

EN_DIR = Path(content_package.__file__).parent / "en"


@dataclass(frozen=True)
class Edit:
    """One change to a copied content file, and what the error must name."""

    file: str
    old: str
    new: str
    names: tuple[str, ...]


def _technique(content: Content, technique_id: str) -> Technique:
    technique = content.technique(technique_id)
    assert technique is not None, technique_id
    return technique


def _first_tip(content: Content) -> Tip:
    return content.tips[0]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the real content: ``root / "en" / *.toml``."""
    shutil.copytree(EN_DIR, tmp_path / "en")
    shutil.copy(EN_DIR.parent / "sessions.toml", tmp_path / "sessions.toml")
    return tmp_path


def apply(root: Path, file: str, old: str, new: str) -> Path:
    """Replace the one occurrence of ``old`` in a copied content file."""
    path = root / "en" / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {file} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def load_error(root: Path) -> str:
    with pytest.raises(ContentError) as raised:
        load("en", root=root)
    return str(raised.value)


# The real content ---------------------------------------------------------------------------


def test_real_content_loads() -> None:
    loaded = load()
    assert loaded.language == "en"


def test_unchanged_copy_loads_like_the_package(root: Path, content: Content) -> None:
    assert load("en", root=root) == content


def test_has_at_least_thirty_tips(content: Content) -> None:
    assert len(content.tips) >= 30


def test_every_tip_is_under_500_characters(content: Content) -> None:
    too_long = {tip.id: len(tip.text) for tip in content.tips if len(tip.text) >= 500}
    assert too_long == {}


def test_techniques_are_the_four_classic_ones_in_order(content: Content) -> None:
    ids = [technique.id for technique in content.techniques]
    assert ids == ["kneading", "pressing", "pushing", "grasping"]


def test_tip_ids_are_unique(content: Content) -> None:
    ids = [tip.id for tip in content.tips]
    assert len(ids) == len(set(ids))


def test_tip_positions_follow_file_order(content: Content) -> None:
    positions = [tip.position for tip in content.tips]
    assert positions == list(range(1, len(content.tips) + 1))


def test_technique_aliases_are_unique_across_techniques(content: Content) -> None:
    names = [alias for technique in content.techniques for alias in technique.aliases]
    assert len(names) == len(set(names))


def test_every_command_has_a_description(content: Content) -> None:
    assert list(content.commands) == list(COMMANDS)
    assert all(
        1 <= len(content.commands[command].strip()) <= MAX_COMMAND_DESCRIPTION
        for command in COMMANDS
    )


# Broken files ---------------------------------------------------------------------------------

EDITS: list[object] = [
    pytest.param(
        lambda c: Edit(
            "techniques.toml",
            f'dose = "{_technique(c, "pressing").dose}"\n',
            "",
            ("techniques.pressing", "'dose'"),
        ),
        id="missing-technique-field",
    ),
    pytest.param(
        lambda c: Edit(
            "techniques.toml",
            f'what = "{_technique(c, "pushing").what}"',
            f'what = "{_technique(c, "pushing").what}"\ncolour = "red"',
            ("techniques.pushing", "'colour'"),
        ),
        id="unknown-technique-field",
    ),
    pytest.param(
        lambda c: Edit(
            "tips.toml",
            f"[tips.{_first_tip(c).id}]",
            "[tips.Bad-Id]",
            ("tips.Bad-Id",),
        ),
        id="bad-tip-id",
    ),
    pytest.param(
        lambda c: Edit(
            "tips.toml",
            '[tips.technique_kneading]\ntechnique = "kneading"',
            '[tips.technique_kneading]\ntechnique = "cracking"',
            ("tips.technique_kneading.technique", "'cracking'"),
        ),
        id="tip-names-an-unknown-technique",
    ),
    pytest.param(
        lambda c: Edit(
            "tips.toml",
            "[tips.gentle_is_enough]\nmassage = true",
            '[tips.gentle_is_enough]\nmassage = "yes"',
            ("tips.gentle_is_enough.massage", "true or false"),
        ),
        id="tip-massage-not-a-flag",
    ),
    pytest.param(
        lambda c: Edit(
            "tips.toml",
            _first_tip(c).text,
            "<b>Too long</b>\n" + "word " * 100,
            (f"tips.{_first_tip(c).id}", str(MAX_TIP_LENGTH)),
        ),
        id="tip-over-500-characters",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.text["subscribed"],
            c.text["subscribed"].replace("{time}", "{tme}"),
            ("text.subscribed",),
        ),
        id="misspelt-placeholder",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.text["subscribed"],
            c.text["subscribed"].replace("{timezone}", "UTC"),
            ("text.subscribed",),
        ),
        id="missing-placeholder",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.text["fallback"],
            c.text["fallback"] + " {name}",
            ("text.fallback",),
        ),
        id="unexpected-placeholder",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            f'error = "{c.text["error"]}"\n',
            "",
            ("[text]", "error"),
        ),
        id="missing-text-key",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            "\n[profile]",
            '\nsurprise = "Hello."\n\n[profile]',
            ("[text]", "surprise"),
        ),
        id="unknown-text-key",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            f'help = "{c.commands["help"]}"\n',
            "",
            ("[commands]", "help"),
        ),
        id="missing-command-description",
    ),
    pytest.param(
        lambda c: Edit(
            "tips.toml",
            _first_tip(c).text,
            _first_tip(c).text.replace("</b>", "", 1),
            (f"tips.{_first_tip(c).id}", "<b>"),
        ),
        id="tip-unclosed-bold",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.text["first_tip"],
            "<b>" + c.text["first_tip"],
            ("text.first_tip", "<b>"),
        ),
        id="message-unclosed-bold",
    ),
    pytest.param(
        lambda c: Edit(
            "pages.toml",
            c.pages["benefits"],
            c.pages["benefits"] + "\nSalt & pepper.",
            ("pages.benefits", "&"),
        ),
        id="page-bare-ampersand",
    ),
    pytest.param(
        lambda c: Edit(
            "techniques.toml",
            _technique(c, "kneading").what,
            _technique(c, "kneading").what + " <div>boxed</div>",
            ("techniques.kneading", "<div>"),
        ),
        id="technique-unknown-tag",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.profile["short_description"],
            c.profile["short_description"] + " More" * 5,
            ("profile.short_description", "120"),
        ),
        id="short-description-over-120",
    ),
    pytest.param(
        lambda c: Edit(
            "messages.toml",
            c.profile["description"],
            "<b>" + c.profile["description"] + "</b>",
            ("profile.description", "plain text"),
        ),
        id="description-with-markup",
    ),
    pytest.param(
        lambda c: Edit(
            "pages.toml",
            "{keep_days} days",
            "90 days",
            ("pages.privacy", "{keep_days}"),
        ),
        id="privacy-without-the-window",
    ),
]


@pytest.mark.parametrize("make_edit", EDITS)
def test_broken_content_names_file_and_key(
    root: Path, content: Content, make_edit: Callable[[Content], Edit]
) -> None:
    edit = make_edit(content)
    path = apply(root, edit.file, edit.old, edit.new)
    message = load_error(root)
    assert f"{path}:" in message
    for name in edit.names:
        assert name in message


def test_tip_of_exactly_500_characters_loads(root: Path, content: Content) -> None:
    tip = content.tips[0]
    apply(root, "tips.toml", tip.text, "x" * MAX_TIP_LENGTH)
    assert load("en", root=root).tips[0].text == "x" * MAX_TIP_LENGTH


def test_invalid_toml_names_file_and_line(root: Path, content: Content) -> None:
    header = f"[tips.{content.tips[0].id}]"
    path = apply(root, "tips.toml", header, header[:-1])
    line = path.read_text(encoding="utf-8").splitlines().index(header[:-1]) + 1
    message = load_error(root)
    assert f"{path}:" in message
    assert f"line {line}" in message


def test_missing_file_is_named(root: Path) -> None:
    path = root / "en" / "pages.toml"
    path.unlink()
    assert f"{path}:" in load_error(root)


@pytest.mark.parametrize(
    "language",
    [
        pytest.param("EN", id="upper-case"),
        pytest.param("../en", id="path"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_language_name_is_refused(language: str) -> None:
    with pytest.raises(ContentError, match="language"):
        load(language)


# Guided-session timings (content/sessions.toml) ---------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("steps = [30, 15, 55, 65, 15]", "steps = [30, 15, 55, 65]", "4 timings for 5 steps"),
        ("steps = [30, 15, 55, 65, 15]", "steps = [30, 15, 0, 65, 15]", "at least 1"),
        ("steps = [30, 15, 55, 65, 15]", 'steps = ["30 s"]', "list of seconds"),
        ("steps = [30, 15, 55, 65, 15]", "steps = [30, 15, 555, 65, 15]", "cap is 600 s"),
        ("[grasping]", "[gripping]", "no technique gripping"),
    ],
)
def test_bad_session_timings_are_named(root: Path, old: str, new: str, says: str) -> None:
    path = root / "sessions.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    message = load_error(root)
    assert f"{path}" in message and says in message
