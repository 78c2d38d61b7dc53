"""A variation named in chat: "I like the second one", "take 2, but slower"; other ordinals are no pick."""

from __future__ import annotations

import pytest

from sonicgrid.session.pick import said


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I like the second one", (2, "")),
        ("use variation 3", (3, "")),
        ("take 2", (2, "")),
        ("ok, the 2nd one", (2, "")),
        ("the first one is best", (1, "")),
        ("the second one but darker", (2, "darker")),
        ("take 2, but slower", (2, "slower")),
        ("the third option, and add drums", (3, "add drums")),
        ("make a second one", None),  # a new clip, not a pick
        ("a version 2 of the theme", None),
        ("an intro in the first person", None),
    ],
)
def test_a_variation_is_picked_by_its_number(text, expected):
    assert said(text) == expected


def test_the_takes_of_a_request_are_its_retries_not_its_other_versions():
    """A long chat is one request followed up many times: 'the second one' counted every clip of it (clip 2 of
    23). The takes are the clips with the last clip's brief since the last new subject: retries of one version."""
    from sonicgrid.session.pick import takes

    def turn(n, text, request, clip, **brief):
        return {"n": n, "text": text, "request": request, "clip_id": clip, "status": "ok", "brief": brief}

    chat = [
        turn(1, "an epic intro", "an epic intro", "c1", mood="epic"),
        turn(2, "a moody loop", "a moody loop", "c2", mood="moody"),
        turn(3, "darker", "moody loop, darker", "c3", mood="moody", brightness=-0.6),
        turn(4, "try again", "moody loop, darker, again", "c4", mood="moody", brightness=-0.6, action="vary"),
        {**turn(5, "drums louder", "drums louder", "c4", mood="moody", brightness=-0.6), "remix": ["louder"]},
    ]
    clips, records = takes(chat)
    assert clips == ["c3", "c4"] and records[-1]["remix"]  # the re-mix is c4's latest record
    assert takes(chat[:3])[0] == ["c3"]  # one version so far: one take
