"""Telegram's HTML subset: what the checker accepts, what it refuses, and what the user sees."""

from __future__ import annotations

import pytest

from content.markup import MAX_MESSAGE_LENGTH, MarkupError, check, check_message, plain


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("plain words", id="plain-text"),
        pytest.param("<b>bold <i>and italic</i></b>", id="nested-b-i"),
        pytest.param("<i>italic <b>and bold</b></i> after", id="nested-i-b"),
        pytest.param("salt &amp; pepper", id="amp-entity"),
        pytest.param("1 &lt; 2 &gt; 0", id="lt-gt-entities"),
        pytest.param("say &quot;hi&quot;", id="quot-entity"),
        pytest.param("brace &#123; and &#x1F600;", id="numeric-entities"),
        pytest.param('<a href="https://example.org/?a=1&amp;b=2">a link</a>', id="link"),
        pytest.param('<code class="language-python">x = 1</code>', id="code-class"),
        pytest.param('<span class="tg-spoiler">secret</span>', id="span-spoiler"),
        pytest.param("<blockquote expandable>quote</blockquote>", id="bare-attribute"),
        pytest.param("<B>upper-case tag</B>", id="upper-case-tag"),
        pytest.param("a" * MAX_MESSAGE_LENGTH, id="exactly-4096"),
        pytest.param("&amp;" * MAX_MESSAGE_LENGTH, id="4096-after-entities"),
        pytest.param("<b>" + "a" * MAX_MESSAGE_LENGTH + "</b>", id="4096-after-tags"),
    ],
)
def test_valid_message_passes(text: str) -> None:
    check_message(text)  # raises MarkupError if Telegram would refuse it


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<div>block</div>", id="unknown-tag"),
        pytest.param("<br>", id="void-tag"),
        pytest.param("a < b", id="bare-lt"),
        pytest.param("a > b", id="bare-gt"),
        pytest.param("salt & pepper", id="bare-amp"),
        pytest.param("&nbsp;", id="unsupported-named-entity"),
        pytest.param("&amp", id="entity-without-semicolon"),
        pytest.param("<b><i>x</b></i>", id="misnested"),
        pytest.param("<b>never closed", id="unclosed-tag"),
        pytest.param("closed </b> never opened", id="stray-closing-tag"),
        pytest.param('<b class="x">bold</b>', id="attribute-not-allowed-on-tag"),
        pytest.param('<a href="x" title="y">link</a>', id="unknown-attribute"),
        pytest.param("<a href='x'>link</a>", id="single-quoted-attribute"),
        pytest.param("", id="empty"),
        pytest.param("  \n ", id="only-whitespace"),
        pytest.param("<b></b>", id="only-tags"),
        pytest.param("a" * (MAX_MESSAGE_LENGTH + 1), id="4097"),
        pytest.param("&amp;" * (MAX_MESSAGE_LENGTH + 1), id="4097-after-entities"),
    ],
)
def test_invalid_message_raises(text: str) -> None:
    with pytest.raises(MarkupError):
        check_message(text)


def test_check_alone_allows_empty_text() -> None:
    check("")  # raises MarkupError if Telegram would refuse it


def test_markup_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check("<div>x</div>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("<b>bold</b> and <i>italic</i>", "bold and italic", id="tags"),
        pytest.param('<a href="https://example.org">link</a>', "link", id="link"),
        pytest.param("salt &amp; pepper", "salt & pepper", id="amp"),
        pytest.param("&lt;b&gt; is a tag", "<b> is a tag", id="escaped-tag"),
        pytest.param("&quot;hi&quot;", '"hi"', id="quot"),
        pytest.param("&#65;&#x42;", "AB", id="numeric"),
        pytest.param("no markup", "no markup", id="unchanged"),
    ],
)
def test_plain_strips_tags_and_decodes_entities(text: str, expected: str) -> None:
    assert plain(text) == expected
